// Package words is mtviz's own screen words (panel titles, key help, the
// legend, the header, the picker) in each language it speaks. A word is
// looked up by its English text, so English screens read exactly as
// written in the code; the language is the one lessons are loaded in
// (lesson.SetLang sets both). Lesson texts speak for themselves (their
// {en, zh} in the lesson file). What the engine, the fold and the verdicts
// say (a lane's description, mtviz's own log lines, a verdict's detail)
// goes through the same catalog (zh_engine.go); errors stay English.
package words

import (
	"fmt"
	"sync/atomic"
)

var lang atomic.Value // "en" or "zh"

func init() { lang.Store("en") }

// Set chooses the language of the screen's words: "zh" for Chinese,
// anything else English.
func Set(l string) { lang.Store(l) }

// Lang is the language of the screen's words.
func Lang() string { return lang.Load().(string) }

// T is en in the screen's language: en itself in English, or when the
// catalog has no translation (a test fails on every word the code asks
// for that has none).
func T(en string) string {
	if Lang() == "zh" {
		if s, ok := zh[en]; ok {
			return s
		}
	}
	return en
}

// F is T(format) filled in as fmt.Sprintf does; a translation names the
// same verbs, in any order (%[2]d).
func F(format string, args ...any) string { return fmt.Sprintf(T(format), args...) }

// N marks a word that is looked up later, by T on a variable: it returns
// en as it is, and lets the catalog's test find the word.
func N(en string) string { return en }

// Chinese is the catalog's Chinese, by English text, for tests.
func Chinese() map[string]string {
	out := make(map[string]string, len(zh))
	for k, v := range zh {
		out[k] = v
	}
	return out
}
