package ui

import (
	"os"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// queryWait is how long the terminal has to answer; a terminal that
// answers at all does so in a few milliseconds, even over ssh.
const queryWait = 400 * time.Millisecond

// queryBackground sends seq and then a cursor position request (which
// every terminal, tmux and screen answer) to the controlling terminal,
// and returns what came back up to that second answer: a terminal that
// does not know seq answers only the position, so this never waits for a
// reply that will not come. It returns "" when there is no terminal, when
// mtviz is not in the terminal's foreground, or on no answer in time.
func queryBackground(seq string) string {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		return ""
	}
	defer tty.Close()
	fd := int(tty.Fd())
	if pg, err := unix.IoctlGetInt(fd, unix.TIOCGPGRP); err != nil || pg != unix.Getpgrp() {
		return ""
	}
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return ""
	}
	raw := *old
	raw.Lflag &^= unix.ECHO | unix.ICANON
	raw.Cc[unix.VMIN], raw.Cc[unix.VTIME] = 0, 0
	if unix.IoctlSetTermios(fd, unix.TCSETS, &raw) != nil {
		return ""
	}
	defer unix.IoctlSetTermios(fd, unix.TCSETS, old)
	if _, err := tty.WriteString(seq + "\x1b[6n"); err != nil {
		return ""
	}
	return readReply(fd, time.Now().Add(queryWait))
}

// readReply reads until the cursor position report (ESC [ row ; col R)
// or the deadline, at most 256 bytes.
func readReply(fd int, deadline time.Time) string {
	var got []byte
	buf := make([]byte, 64)
	for len(got) < 256 {
		left := time.Until(deadline)
		if left <= 0 {
			break
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		n, err := unix.Poll(fds, int(left.Milliseconds())+1)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			break
		}
		k, err := unix.Read(fd, buf)
		if err != nil || k <= 0 {
			break
		}
		got = append(got, buf[:k]...)
		if positionReport(string(got)) {
			break
		}
	}
	return string(got)
}

// positionReport says whether s holds a whole cursor position report.
func positionReport(s string) bool {
	i := strings.LastIndex(s, "\x1b[")
	if i < 0 {
		return false
	}
	rest := s[i+2:]
	j := strings.IndexByte(rest, 'R')
	if j < 0 {
		return false
	}
	return strings.Trim(rest[:j], "0123456789;") == ""
}
