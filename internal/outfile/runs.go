package outfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
)

// Runs are a command's outputs written once per run: a screen where the
// learner restarts a lesson, or opens another, runs it many times. The
// first run is written to the paths asked (checked, and its files made,
// before anything runs); run after run goes to the paths numbered -2, -3…
// before the extension (Numbered), each a name no file has when the run
// starts, and which is never replaced: a file that appeared there in the
// meantime is left as it is and the run's file is not written.
// A device or a FIFO asked for (/dev/null) takes every run.
type Runs struct {
	inputs []Input
	outs   []Output // as asked; an empty Path is an output not asked for
	first  []*File
	mu     sync.Mutex
	handed int // runs whose files were handed out
	number int // the last number given to a run's files (1: the paths asked)
}

// NewRuns checks the outputs against the inputs and each other, then makes
// the first run's files. An output with an empty path is not asked for:
// Next gives nil in its place.
func NewRuns(inputs []Input, outs []Output) (*Runs, error) {
	var asked []Output
	for _, o := range outs {
		if o.Path != "" {
			asked = append(asked, o)
		}
	}
	if err := Check(inputs, asked); err != nil {
		return nil, err
	}
	r := &Runs{inputs: inputs, outs: outs, number: 1}
	files, err := r.create(func(o Output) string { return o.Path }, false)
	if err != nil {
		return nil, err
	}
	r.first = files
	return r, nil
}

// First is the first run's files, in the order of the outputs.
func (r *Runs) First() []*File { return r.first }

// Next hands out the next run's files, in the order of the outputs: the
// first run's the first time, then new ones.
func (r *Runs) Next() ([]*File, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handed++
	if r.handed == 1 {
		return r.first, nil
	}
	n, err := r.freeNumber()
	if err != nil {
		return nil, err
	}
	named := func(o Output) string {
		if streamed(o.Path) {
			return o.Path
		}
		return Numbered(o.Path, n)
	}
	var outs []Output
	for _, o := range r.outs {
		if o.Path != "" {
			outs = append(outs, Output{Flag: o.Flag, Path: named(o)})
		}
	}
	if err := Check(r.inputs, outs); err != nil {
		return nil, err
	}
	return r.create(named, true)
}

// maxTries bounds the numbers tried for a run's files.
const maxTries = 10000

// freeNumber is the next number after the last one given whose paths are
// all free.
func (r *Runs) freeNumber() (int, error) {
	for n := r.number + 1; n <= r.number+maxTries; n++ {
		free := true
		for _, o := range r.outs {
			if o.Path == "" || streamed(o.Path) {
				continue
			}
			if _, err := os.Lstat(Numbered(o.Path, n)); !errors.Is(err, fs.ErrNotExist) {
				free = false
				break
			}
		}
		if free {
			r.number = n
			return n, nil
		}
	}
	o := r.first[0]
	for _, f := range r.first {
		if f != nil {
			o = f
			break
		}
	}
	return 0, fmt.Errorf("%s %s: %d names numbered after it are all taken", o.flag, o.path, maxTries)
}

// create makes one run's files; on an error none is left.
func (r *Runs) create(path func(Output) string, fresh bool) ([]*File, error) {
	files := make([]*File, len(r.outs))
	for i, o := range r.outs {
		if o.Path == "" {
			continue
		}
		f, err := Create(o.Flag, path(o))
		if err != nil {
			for _, g := range files {
				if g != nil {
					g.Abort()
				}
			}
			return nil, err
		}
		f.fresh = fresh
		files[i] = f
	}
	return files, nil
}

// streamed says a path is a device or a FIFO: written in place, every run.
func streamed(path string) bool {
	st, err := os.Stat(path)
	return err == nil && !st.Mode().IsRegular() && !st.IsDir()
}

// Numbered is the path of run n's file: run.jsonl becomes run-2.jsonl,
// trace becomes trace-2, .rec becomes .rec-2.
func Numbered(path string, n int) string {
	dir, base := filepath.Split(path)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	if stem == "" {
		stem, ext = base, ""
	}
	return dir + stem + "-" + strconv.Itoa(n) + ext
}

// commitFresh puts a file at a path no file had, without replacing one
// that appeared there since: a hard link, then the temporary name goes.
func (f *File) commitFresh() error {
	err := os.Link(f.f.Name(), f.final)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		// A file system without hard links: renamed, if the path is still free.
		if _, serr := os.Lstat(f.final); errors.Is(serr, fs.ErrNotExist) {
			if err = os.Rename(f.f.Name(), f.final); err == nil {
				return nil
			}
		}
	}
	f.remove()
	if errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("%s %s: a file appeared there during the run; it is left as it is and the run is not written", f.flag, f.path)
	}
	if err != nil {
		return fmt.Errorf("%s %s: %v", f.flag, f.path, unwrap(err))
	}
	return nil
}
