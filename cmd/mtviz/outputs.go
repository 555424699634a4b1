package main

import (
	"errors"
	"os"
	"os/exec"

	"mtviz/internal/outfile"
	"mtviz/internal/ui"
)

// outputs are a command's output files, from the check before anything
// runs to their commit at the end. A screen writes each run it starts to
// files of its own (runs).
type outputs struct {
	runs  *outfile.Runs
	files []*outfile.File // the first run's
}

// openOutputs checks the outputs against the inputs and against each other,
// then starts each (a temporary file beside it): whatever is wrong is said
// before anything runs, naming the path. mtviz's own program is always an
// input. An empty path is an output not asked for: its writer is nil.
func openOutputs(cmd string, inputs []outfile.Input, outs ...outfile.Output) (*outputs, []*outfile.File, error) {
	if exe, err := os.Executable(); err == nil {
		inputs = append(inputs, outfile.Input{What: "mtviz's own program", Path: exe})
	}
	runs, err := outfile.NewRuns(inputs, outs)
	if err != nil {
		return nil, nil, usagef("%s: %v", cmd, err)
	}
	o := &outputs{runs: runs}
	for _, f := range runs.First() {
		if f != nil {
			o.files = append(o.files, f)
		}
	}
	return o, runs.First(), nil
}

// screen hands the screen's runs their files (--record, --trace, in that
// order in openOutputs), when any was asked for.
func (o *outputs) screen() ui.Outputs {
	if len(o.files) == 0 {
		return nil
	}
	return screenOutputs{o.runs}
}

type screenOutputs struct{ runs *outfile.Runs }

func (s screenOutputs) Next() (rec, perfetto *outfile.File, err error) {
	files, err := s.runs.Next()
	if err != nil {
		return nil, nil, err
	}
	return files[0], files[1], nil
}

// finish puts the outputs in place when the command ended with a verdict
// (whatever it was), and leaves the old files whole when it failed: a
// recording that could not be written, an input that was refused.
func (o *outputs) finish(err error) error {
	var ce checkFailed
	var nd notDecided
	if err != nil && !errors.As(err, &ce) && !errors.As(err, &nd) {
		o.abort()
		return err
	}
	for _, f := range o.files {
		if cerr := f.Commit(); cerr != nil {
			o.abort()
			return cerr
		}
	}
	return err
}

func (o *outputs) abort() {
	for _, f := range o.files {
		f.Abort()
	}
}

// fileInputs are the arguments of a watched command that name files: what
// the program may read, which no output may overwrite; and its program.
func fileInputs(cmd []string) []outfile.Input {
	var ins []outfile.Input
	if len(cmd) > 0 {
		if p, err := exec.LookPath(cmd[0]); err == nil {
			ins = append(ins, outfile.Input{What: "the watched program", Path: p})
		}
	}
	for _, a := range cmd {
		if st, err := os.Stat(a); err == nil && st.Mode().IsRegular() {
			ins = append(ins, outfile.Input{What: "a file the watched command names", Path: a})
		}
	}
	return ins
}
