package lesson

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync/atomic"
	"unicode"

	"github.com/goccy/go-yaml/ast"

	"mtviz/internal/words"
)

// Languages a lesson's text may be written in: English, and the chapter's
// own, Chinese. A text is plain, or {en: ..., zh: ...}.
var Languages = []string{"en", "zh"}

var lang atomic.Value // the language texts are loaded in

func init() { SetLang(LangFromEnv()) }

// SetLang chooses the language lessons are loaded in ("en" or "zh"), and
// the screen's own words are shown in.
func SetLang(l string) {
	lang.Store(l)
	words.Set(l)
}

// Lang is the language lessons are loaded in.
func Lang() string { return lang.Load().(string) }

// LangFromEnv is the language the environment asks for: LC_ALL, else
// LC_MESSAGES, else LANG (zh_CN.UTF-8 is Chinese); English otherwise.
func LangFromEnv() string {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if v := os.Getenv(k); v != "" {
			if strings.HasPrefix(v, "zh") {
				return "zh"
			}
			return "en"
		}
	}
	return "en"
}

// prose reads a text a person reads: plain, or one per language, as
// {en: ..., zh: ...}; the language lessons are loaded in is taken, else
// English. A text given in some languages and not another, or in two that
// name different placeholders, is noted for 'mtviz check'; so is a plain
// one, in a file whose other texts speak two, unless it has nothing to
// translate ("{task}").
func (l *loader) prose(n ast.Node, what string) (string, bool) {
	m, ok := l.plain(n).(*ast.MappingNode)
	if !ok {
		s, ok := l.str(n, what)
		if ok && !neutral(s) {
			l.plainTexts = append(l.plainTexts, &Error{Pos: l.pos(n), Msg: what})
		}
		return s, ok
	}
	texts := l.languages(m, what, func(n ast.Node, what string) (any, bool) { return l.str(n, what) })
	en, _ := texts["en"].(string)
	for _, lg := range Languages[1:] {
		t, _ := texts[lg].(string)
		if a, b := placeholderSet(en), placeholderSet(t); t != "" && en != "" && !slices.Equal(a, b) {
			l.untranslated = append(l.untranslated, &Error{Pos: l.pos(n),
				Msg: fmt.Sprintf("%s names %s in en and %s in %s: both should name the same", what, named(a), named(b), lg)})
		}
	}
	s, _ := pick(texts).(string)
	return s, true
}

// perLanguage reads a value a check compares with the log: plain, the same
// in every language (a task's name), or one per language, {en: ..., zh:
// ...}, as the log lines it looks for are written; dec reads one.
func (l *loader) perLanguage(n ast.Node, what string, dec func(ast.Node, string) (any, bool)) (any, bool) {
	m, ok := l.plain(n).(*ast.MappingNode)
	if !ok || !isLanguages(m) {
		return dec(n, what)
	}
	v := pick(l.languages(m, what, dec))
	if v == nil {
		missing := "no en"
		if Lang() != "en" {
			missing = "neither " + Lang() + " nor en"
		}
		l.errorf(m, "%s has %s text", what, missing)
		return nil, false
	}
	return v, true
}

// languages reads {en: ..., zh: ...}, each value by dec. A language left
// out is noted for 'mtviz check'.
func (l *loader) languages(m *ast.MappingNode, what string, dec func(ast.Node, string) (any, bool)) map[string]any {
	l.bilingual = true
	vals := map[string]any{}
	for _, kv := range m.Values {
		k, ok := l.key(kv)
		if !ok {
			continue
		}
		if !slices.Contains(Languages, k) {
			l.errorf(kv.Key, "%s: %q is no language mtviz speaks; a text is plain, or {en: ..., zh: ...}", what, k)
			continue
		}
		if v, ok := dec(kv.Value, what+" ("+k+")"); ok && !blank(v) {
			vals[k] = v
		}
	}
	for _, lg := range Languages {
		if vals[lg] == nil {
			l.untranslated = append(l.untranslated, &Error{Pos: l.pos(m), Msg: what + " has no " + lg + " text"})
		}
	}
	return vals
}

// pick is the value in the language lessons are loaded in, else English's.
func pick(vals map[string]any) any {
	if v := vals[Lang()]; v != nil {
		return v
	}
	return vals["en"]
}

func blank(v any) bool {
	switch v := v.(type) {
	case string:
		return v == ""
	case []string:
		return len(v) == 0
	}
	return v == nil
}

// neutral is whether a text has nothing to translate: no letter outside
// its placeholders.
func neutral(s string) bool {
	for _, name := range Placeholders(s) {
		s = strings.ReplaceAll(s, "{"+name+"}", "")
	}
	return !strings.ContainsFunc(s, unicode.IsLetter)
}

func named(placeholders []string) string {
	if len(placeholders) == 0 {
		return "nothing"
	}
	return "{" + strings.Join(placeholders, "}, {") + "}"
}

// placeholderSet is the placeholders a text names, sorted, each once.
func placeholderSet(s string) []string {
	p := Placeholders(s)
	slices.Sort(p)
	return slices.Compact(p)
}

// translations says, for a file that gives some text in two languages,
// which texts lack one: every text of a lesson should speak both.
func (l *loader) translations() Errors {
	if len(l.untranslated) == 0 && !l.bilingual {
		return nil
	}
	out := slices.Clone(l.untranslated)
	for _, p := range l.plainTexts {
		out = append(out, &Error{Pos: p.Pos, Msg: p.Msg + " is in one language only (write {en: ..., zh: ...})"})
	}
	return out
}

// isLanguages is whether a node is a mapping whose keys are all languages.
func isLanguages(n ast.Node) bool {
	m, ok := n.(*ast.MappingNode)
	if !ok || len(m.Values) == 0 {
		return false
	}
	for _, kv := range m.Values {
		if k, _ := scalar(kv.Key); !slices.Contains(Languages, k) {
			return false
		}
	}
	return true
}
