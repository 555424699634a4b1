package main

import (
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// README's table of the packages (between the arrows markers) names every
// package of mtviz, its one job, and the mtviz packages it imports; it
// must match the code's own imports (as go list -deps reads them), package
// for package.
func TestReadmeArrowsMatchImports(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(b), "<!-- arrows -->\n")
	block, _, ok2 := strings.Cut(block, "<!-- /arrows -->")
	if !ok || !ok2 {
		t.Fatal("README has no arrows block (<!-- arrows --> … <!-- /arrows -->)")
	}
	// A row: | `pkg` | its one job | `dep` `dep` … (or —) |
	said := map[string][]string{}
	for _, line := range strings.Split(block, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) != 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "`") {
			continue
		}
		pkg := strings.Trim(strings.TrimSpace(cells[1]), "`")
		if strings.TrimSpace(cells[2]) == "" {
			t.Errorf("README's arrows: %s has no job said", pkg)
		}
		var deps []string
		for _, d := range strings.Fields(cells[3]) {
			if d != "—" {
				deps = append(deps, strings.Trim(d, "`"))
			}
		}
		said[pkg] = deps
	}
	real := importsOf(t, "../..")
	for pkg, deps := range real {
		got, ok := said[pkg]
		if !ok {
			t.Errorf("README's arrows do not name %s (it imports %v)", pkg, deps)
			continue
		}
		if !slices.Equal(slices.Sorted(slices.Values(got)), deps) {
			t.Errorf("README: %s → %v; the code: %s → %v", pkg, got, pkg, deps)
		}
	}
	for pkg := range said {
		if _, ok := real[pkg]; !ok {
			t.Errorf("README's arrows name %s, which is no package of mtviz", pkg)
		}
	}
}

// importsOf reads, for every package below root (tests aside), the mtviz
// packages it imports, by their path below internal/ (cmd/mtviz as is).
func importsOf(t *testing.T, root string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, dir := range append([]string{"cmd/mtviz"}, globDirs(t, root, "internal/*")...) {
		fset := token.NewFileSet()
		files, _ := filepath.Glob(filepath.Join(root, dir, "*.go"))
		seen := map[string]bool{}
		any := false
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			af, err := parser.ParseFile(fset, f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			any = true
			for _, im := range af.Imports {
				if p, ok := strings.CutPrefix(strings.Trim(im.Path.Value, `"`), "mtviz/internal/"); ok {
					seen[p] = true
				}
			}
		}
		if any {
			out[strings.TrimPrefix(dir, "internal/")] = slices.Sorted(maps.Keys(seen))
		}
	}
	return out
}

func globDirs(t *testing.T, root, pattern string) []string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(root, pattern))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range m {
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			rel, _ := filepath.Rel(root, p)
			out = append(out, rel)
		}
	}
	return out
}
