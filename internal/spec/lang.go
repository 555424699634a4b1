package spec

import (
	"os"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/goccy/go-yaml/ast"
)

// Languages a lesson's text may be written in: English, and the chapter's
// own, Chinese. A text is plain, or {en: ..., zh: ...}.
var Languages = []string{"en", "zh"}

var lang atomic.Value // the language texts are loaded in

func init() { lang.Store(LangFromEnv()) }

// SetLang chooses the language lessons are loaded in ("en" or "zh").
func SetLang(l string) { lang.Store(l) }

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
// English. A text given in some languages and not another is noted for
// 'mtviz check'.
func (l *loader) prose(n ast.Node, what string) (string, bool) {
	m, ok := l.plain(n).(*ast.MappingNode)
	if !ok {
		s, ok := l.str(n, what)
		if ok && s != "" {
			l.plainTexts = append(l.plainTexts, &Error{Pos: l.pos(n), Msg: what})
		}
		return s, ok
	}
	l.bilingual = true
	texts := map[string]string{}
	for _, kv := range m.Values {
		k, ok := l.key(kv)
		if !ok {
			continue
		}
		if !slices.Contains(Languages, k) {
			l.errorf(kv.Key, "%s: %q is no language mtviz speaks; a text is plain, or {en: ..., zh: ...}", what, k)
			continue
		}
		texts[k], _ = l.str(kv.Value, what+" ("+k+")")
	}
	for _, lg := range Languages {
		if texts[lg] == "" {
			l.untranslated = append(l.untranslated, &Error{Pos: l.pos(n), Msg: what + " has no " + lg + " text"})
		}
	}
	if t := texts[Lang()]; t != "" {
		return t, true
	}
	return texts["en"], true
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
