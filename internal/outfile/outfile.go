// Package outfile writes a command's output files (--record, --trace,
// --csv) so that they never destroy an input or each other: every output is
// checked before anything runs (its directory can be written, and it is not
// the same file as an input or as another output: same device and inode,
// or the same path once links are resolved), and it is written to a
// temporary file beside it, renamed over the old one only at the end, so
// that a run that fails or is killed leaves the old file whole.
package outfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"syscall"
)

// Output is one output file a command was asked to write.
type Output struct {
	Flag string // --record, --trace, --csv
	Path string
}

// Input is a file a command reads.
type Input struct {
	What string // "the lesson", "the recording"...
	Path string
}

// ident is what makes two paths one file.
type ident struct {
	exists   bool
	dev, ino uint64
	resolved string // the absolute path, links resolved (its directory's, for a file not there yet)
	regular  bool   // an existing regular file (others, a device or a FIFO, are written in place)
}

func (a ident) same(b ident) bool {
	return a.exists && b.exists && a.dev == b.dev && a.ino == b.ino || a.resolved == b.resolved
}

// identify finds a path's file, or where it will be.
func identify(path string) (ident, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return ident{}, err
	}
	var st syscall.Stat_t
	if err := syscall.Stat(abs, &st); err == nil {
		resolved, err := filepath.EvalSymlinks(abs)
		if err != nil {
			return ident{}, err
		}
		mode := st.Mode & syscall.S_IFMT
		if mode == syscall.S_IFDIR {
			return ident{}, errors.New("is a directory")
		}
		return ident{exists: true, dev: st.Dev, ino: st.Ino, resolved: resolved, regular: mode == syscall.S_IFREG}, nil
	}
	if fi, err := os.Lstat(abs); err == nil && fi.Mode()&fs.ModeSymlink != 0 {
		return ident{}, errors.New("is a link to a file that does not exist")
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return ident{}, fmt.Errorf("its directory %s: %w", filepath.Dir(path), unwrap(err))
	}
	return ident{resolved: filepath.Join(dir, filepath.Base(abs)), regular: true}, nil
}

func unwrap(err error) error {
	if pe, ok := err.(*fs.PathError); ok {
		return pe.Err
	}
	return err
}

// Check refuses, before anything runs, an output that cannot be written
// where it is asked, or that is an input or another output.
func Check(inputs []Input, outputs []Output) error {
	ins := make([]ident, len(inputs))
	for i, in := range inputs {
		id, err := identify(in.Path)
		if err != nil || !id.exists {
			continue // the input's own reader says what is wrong with it
		}
		ins[i] = id
	}
	outs := make([]ident, len(outputs))
	for i, out := range outputs {
		id, err := identify(out.Path)
		if err != nil {
			return fmt.Errorf("%s %s: %v", out.Flag, out.Path, err)
		}
		for j, in := range inputs {
			if ins[j].exists && id.same(ins[j]) {
				return fmt.Errorf("%s %s is %s (%s): writing it would destroy it; name another file", out.Flag, out.Path, in.What, in.Path)
			}
		}
		for j := range i {
			if id.same(outs[j]) {
				return fmt.Errorf("%s %s and %s %s are the same file; name two files", outputs[j].Flag, outputs[j].Path, out.Flag, out.Path)
			}
		}
		if err := writable(id); err != nil {
			return fmt.Errorf("%s %s: %v", out.Flag, out.Path, err)
		}
		outs[i] = id
	}
	return nil
}

// writable tries what writing the output will do: make a file beside it.
func writable(id ident) error {
	if id.exists && !id.regular {
		f, err := os.OpenFile(id.resolved, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		if err != nil {
			return unwrap(err)
		}
		return f.Close()
	}
	f, err := os.CreateTemp(filepath.Dir(id.resolved), "."+filepath.Base(id.resolved)+".mtviz-*")
	if err != nil {
		return fmt.Errorf("its directory cannot be written: %v", unwrap(err))
	}
	f.Close()
	return os.Remove(f.Name())
}

// File is an output being written: to a temporary file in the same
// directory until Commit renames it over the path.
type File struct {
	flag, path string
	final      string // the path renamed to: links resolved
	f          *os.File
	temp       bool
	fresh      bool       // a later run's: never put in place of a file
	mu         sync.Mutex // Commit and Abort may come from two goroutines
	done       bool
}

// Path is the path the output is written to, as asked.
func (f *File) Path() string { return f.path }

// Create starts writing an output. The temporary file is made at once, so
// a directory that cannot be written is found before anything runs.
func Create(flag, path string) (*File, error) {
	id, err := identify(path)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v", flag, path, err)
	}
	out := &File{flag: flag, path: path, final: id.resolved}
	if id.exists && !id.regular {
		// A device or a FIFO (/dev/null, a pipe): nothing to keep whole.
		if out.f, err = os.OpenFile(id.resolved, os.O_WRONLY, 0); err != nil {
			return nil, fmt.Errorf("%s %s: %v", flag, path, unwrap(err))
		}
		return out, nil
	}
	if out.f, err = os.CreateTemp(filepath.Dir(id.resolved), "."+filepath.Base(id.resolved)+".mtviz-*"); err != nil {
		return nil, fmt.Errorf("%s %s: its directory cannot be written: %v", flag, path, unwrap(err))
	}
	out.temp = true
	mode := os.FileMode(0o644)
	if st, err := os.Stat(id.resolved); err == nil {
		mode = st.Mode().Perm() // the old file's mode is kept
	}
	out.f.Chmod(mode)
	return out, nil
}

// Write writes to the temporary file; an error names the output's path.
func (f *File) Write(p []byte) (int, error) {
	n, err := f.f.Write(p)
	if err != nil {
		err = fmt.Errorf("%s %s: %v", f.flag, f.path, unwrap(err))
	}
	return n, err
}

// Commit ends the file and puts it in place of the old one.
func (f *File) Commit() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		return nil
	}
	f.done = true
	if err := f.f.Close(); err != nil {
		f.remove()
		return fmt.Errorf("%s %s: %v", f.flag, f.path, unwrap(err))
	}
	if !f.temp {
		return nil
	}
	if f.fresh {
		return f.commitFresh()
	}
	if err := os.Rename(f.f.Name(), f.final); err != nil {
		f.remove()
		return fmt.Errorf("%s %s: %v", f.flag, f.path, unwrap(err))
	}
	return nil
}

// Abort drops what was written; the old file, if any, stays as it was.
func (f *File) Abort() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		return
	}
	f.done = true
	f.f.Close()
	f.remove()
}

func (f *File) remove() {
	if f.temp {
		os.Remove(f.f.Name())
	}
}

// WriteFile writes a whole output the same way: beside it, then renamed.
func WriteFile(flag, path string, data []byte) error {
	f, err := Create(flag, path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Abort()
		return err
	}
	return f.Commit()
}

var _ io.Writer = (*File)(nil)
