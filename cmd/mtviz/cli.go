package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"

	"mtviz/internal/lesson"
	"mtviz/internal/text"
	"mtviz/internal/ui"
	"mtviz/internal/version"
)

// The conventions of well-liked command-line tools: a version, a
// suggestion for a misspelt command or flag, the flag as it was typed, a
// clear word when there is no terminal, and shell completion.

func cmdVersion(args []string, stdout, stderr io.Writer) error {
	fmt.Fprintln(stdout, version.String())
	return nil
}

// commandNames lists the commands a person may type.
func commandNames() []string {
	names := []string{"help", "version", "completion"}
	for _, c := range commands {
		names = append(names, c.name)
	}
	return names
}

// unknownCommand says a word is no command, and which one was meant.
func unknownCommand(word string) error {
	hint := ""
	if m := lesson.Closest(word, commandNames()); m != "" {
		hint = fmt.Sprintf(" (did you mean %q?)", m)
	}
	return usagef("unknown command %q%s; run 'mtviz --help'", text.Clean(word), hint)
}

// unknownFlag says which flag was not known, as it was typed (the flag
// package drops one of its dashes), and which one was meant.
func unknownFlag(fs *flag.FlagSet, args []string, name string) string {
	typed := "-" + name
	for _, a := range args {
		if strings.TrimLeft(strings.SplitN(a, "=", 2)[0], "-") == name && strings.HasPrefix(a, "-") {
			typed = strings.SplitN(a, "=", 2)[0]
			break
		}
	}
	var known []string
	fs.VisitAll(func(f *flag.Flag) { known = append(known, f.Name) })
	hint := ""
	if m := lesson.Closest(name, known); m != "" {
		hint = fmt.Sprintf(" (did you mean --%s?)", m)
	}
	return fmt.Sprintf("unknown flag %s%s", text.Clean(typed), hint)
}

// needTerminal refuses to open the screen where there is no terminal to
// draw on, and says what to do instead.
func needTerminal(cmd string) error {
	f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return usagef("%s: no terminal to draw on (%v); run it with --headless, or --json", cmd, errText(err))
	}
	f.Close()
	return nil
}

const completionUsage = `Usage: mtviz completion bash|zsh|fish

Prints a script that completes mtviz's commands, their flags and the
built-in lessons in that shell. For example:

  bash: source <(mtviz completion bash)
  zsh:  mtviz completion zsh > "${fpath[1]}/_mtviz"
  fish: mtviz completion fish > ~/.config/fish/completions/mtviz.fish
`

var flagWord = regexp.MustCompile(`(?m)^\s+(--[a-z][a-z-]*)`)

// flagsOf are the flags a command's --help lists, the list made from its
// flag set.
func flagsOf(c command) []string {
	var help strings.Builder
	c.run([]string{"--help"}, &help, io.Discard)
	var out []string
	for _, m := range flagWord.FindAllStringSubmatch(help.String(), -1) {
		if !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

func cmdCompletion(args []string, stdout, stderr io.Writer) error {
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprint(stdout, completionUsage)
		return nil
	}
	if len(args) != 1 {
		return usagef("completion: name a shell: bash, zsh or fish")
	}
	var lessons []string
	for _, sc := range builtins() {
		lessons = append(lessons, sc.ID)
	}
	cmds := commandNames()
	flags := map[string][]string{}
	for _, c := range commands {
		flags[c.name] = append(flagsOf(c), "--help")
	}
	switch args[0] {
	case "bash":
		return bashCompletion(stdout, cmds, flags, lessons)
	case "zsh":
		fmt.Fprint(stdout, "#compdef mtviz\nautoload -U +X bashcompinit && bashcompinit\n")
		return bashCompletion(stdout, cmds, flags, lessons)
	case "fish":
		return fishCompletion(stdout, cmds, flags, lessons)
	}
	return usagef("completion: %q is no shell mtviz completes; bash, zsh or fish", text.Clean(args[0]))
}

func bashCompletion(w io.Writer, cmds []string, flags map[string][]string, lessons []string) error {
	fmt.Fprintf(w, `# mtviz completion for bash (mtviz completion bash)
_mtviz() {
  local cur=${COMP_WORDS[COMP_CWORD]} cmd=${COMP_WORDS[1]}
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=($(compgen -W %q -- "$cur")); return
  fi
  case "$cmd" in
`, strings.Join(cmds, " "))
	for _, c := range commands {
		words := strings.Join(flags[c.name], " ")
		if slices.Contains(lessonCommands, c.name) {
			words += " " + strings.Join(lessons, " ")
		}
		fmt.Fprintf(w, "    %s) COMPREPLY=($(compgen -W %q -- \"$cur\") $(compgen -f -- \"$cur\")) ;;\n", c.name, words)
	}
	fmt.Fprint(w, "    completion) COMPREPLY=($(compgen -W \"bash zsh fish\" -- \"$cur\")) ;;\n  esac\n}\ncomplete -F _mtviz mtviz\n")
	return nil
}

// lessonCommands take a lesson's name: completion offers the built-ins.
var lessonCommands = []string{"run", "compare", "explore", "show", "new"}

func fishCompletion(w io.Writer, cmds []string, flags map[string][]string, lessons []string) error {
	fmt.Fprintln(w, "# mtviz completion for fish (mtviz completion fish)")
	fmt.Fprintf(w, "complete -c mtviz -n __fish_use_subcommand -f -a %q\n", strings.Join(cmds, " "))
	for _, c := range commands {
		for _, f := range flags[c.name] {
			fmt.Fprintf(w, "complete -c mtviz -n '__fish_seen_subcommand_from %s' -l %s\n", c.name, strings.TrimPrefix(f, "--"))
		}
		if slices.Contains(lessonCommands, c.name) {
			fmt.Fprintf(w, "complete -c mtviz -n '__fish_seen_subcommand_from %s' -a %q\n", c.name, strings.Join(lessons, " "))
		}
	}
	fmt.Fprintln(w, "complete -c mtviz -n '__fish_seen_subcommand_from completion' -f -a 'bash zsh fish'")
	return nil
}

// onScreen opens the screen, if there is a terminal to draw on.
func onScreen(cmd string, cfg ui.Config) error {
	if err := needTerminal(cmd); err != nil {
		return err
	}
	return outcomeError(ui.Run(cfg))
}

// takeLang takes --lang en|zh from anywhere before "--": the language of
// the lessons' texts, for every command (MTVIZ_LANG, then LC_ALL, LANG,
// when not given).
func takeLang(args []string) ([]string, error) {
	if v := os.Getenv("MTVIZ_LANG"); v != "" {
		if !slices.Contains(lesson.Languages, v) {
			return nil, usagef("MTVIZ_LANG=%s: the languages are %s", text.Clean(v), strings.Join(lesson.Languages, ", "))
		}
		lesson.SetLang(v)
	}
	return takeGlobal(args, "lang", "language", lesson.Languages, lesson.SetLang)
}

// takeTheme takes --theme dark|light|auto from anywhere before "--": the
// screen's palette, for every command that opens one (MTVIZ_THEME when
// not given; auto, the default, asks the terminal).
func takeTheme(args []string) ([]string, error) {
	set := func(v string) {
		t, _ := ui.ParseTheme(v)
		ui.SetTheme(t)
	}
	if v := os.Getenv("MTVIZ_THEME"); v != "" {
		if !slices.Contains(ui.Themes, v) {
			return nil, usagef("MTVIZ_THEME=%s: the themes are %s", text.Clean(v), strings.Join(ui.Themes, ", "))
		}
		set(v)
	}
	return takeGlobal(args, "theme", "theme", ui.Themes, set)
}

// takeGlobal takes --NAME VALUE or --NAME=VALUE (one dash or two) from
// anywhere before "--", checks VALUE (a what) against values and hands it
// to set; the other arguments are returned in their order.
func takeGlobal(args []string, name, what string, values []string, set func(string)) ([]string, error) {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(out, args[i:]...), nil
		}
		bare, dashed := strings.CutPrefix(a, "-")
		bare = strings.TrimPrefix(bare, "-")
		v, ok := strings.CutPrefix(bare, name+"=")
		ok = ok && dashed
		if !ok && dashed && bare == name {
			if i+1 >= len(args) {
				return nil, usagef("--%s needs a %s: %s", name, what, strings.Join(values, ", "))
			}
			v, ok = args[i+1], true
			i++
		}
		if !ok {
			out = append(out, a)
			continue
		}
		if !slices.Contains(values, v) {
			return nil, usagef("--%s %s: the %ss are %s", name, text.Clean(v), what, strings.Join(values, ", "))
		}
		set(v)
	}
	return out, nil
}
