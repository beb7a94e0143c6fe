// Package outfile is the one way lsce writes an output file: the data goes
// to a temporary file in the target's directory, is synced to disk, and
// replaces the target by a rename. A failure at any step (a full disk, an
// unwritable directory, an error of the writer) leaves the previous file as
// it was and no temporary file behind.
//
// Only regular files are written: a directory, a device (/dev/stdout,
// /dev/null), a FIFO or a socket is refused, because a rename would replace
// the node itself and writing into it in place is not atomic. A symbolic
// link is followed: the file it names is replaced, the link stays.
//
// [Check] refuses an output that is one of the inputs (the same path, a
// link to it or a hard link: compared with [os.SameFile]), before any work.
package outfile

import (
	"bufio"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// ErrNotRegular is the reason for refusing an existing output that is not
// a regular file.
var ErrNotRegular = errors.New("not a regular file")

// SameError is the reason for refusing an output that is an input.
type SameError struct {
	// Input is the input's path as given.
	Input string
}

func (e *SameError) Error() string { return "the same file as the input " + e.Input }

// Check reports whether path can be an output: it must not exist, or be a
// regular file (or a link to one), and it must not be the same file as any
// of inputs ("-", standard input, is never the same). The error is an
// *os.PathError whose Err is ErrNotRegular, a *SameError or the error of
// os.Stat.
func Check(path string, inputs ...string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return checkNew(path, inputs)
	}
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() {
		return &os.PathError{Op: "write", Path: path, Err: ErrNotRegular}
	}
	for _, in := range inputs {
		if in == "" || in == "-" {
			continue
		}
		if ist, err := os.Stat(in); err == nil && os.SameFile(st, ist) {
			return &os.PathError{Op: "write", Path: path, Err: &SameError{Input: in}}
		}
	}
	return nil
}

// checkNew compares the path of an output that does not exist yet with the
// inputs' paths (an input that does not exist either fails on its own).
func checkNew(path string, inputs []string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return err
	}
	for _, in := range inputs {
		if in == "" || in == "-" {
			continue
		}
		if a, err := filepath.Abs(in); err == nil && a == abs {
			return &os.PathError{Op: "write", Path: path, Err: &SameError{Input: in}}
		}
	}
	return nil
}

// Write creates or replaces the regular file at path with what write
// writes to w (buffered). A new file gets mode 0666 less the umask, as
// os.Create gives; a replaced file keeps its mode. On any error — of
// write, of the disk, of the rename — the file at path is unchanged and the
// temporary file is removed. The error of write is returned as it is, but
// for an *os.PathError of the temporary file, which names path instead.
func Write(path string, write func(w io.Writer) error) (err error) {
	target, err := resolve(path)
	if err != nil {
		return err
	}
	var mode fs.FileMode
	st, err := os.Lstat(target)
	switch {
	case err == nil && !st.Mode().IsRegular():
		return &os.PathError{Op: "write", Path: path, Err: ErrNotRegular}
	case err == nil:
		mode = st.Mode().Perm()
	case !errors.Is(err, fs.ErrNotExist):
		return err
	}
	tmp, err := createTemp(target)
	if err != nil {
		return &os.PathError{Op: "write", Path: path, Err: unwrapPath(err)}
	}
	done := false
	defer func() {
		if !done { // an error, or a panic of write
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	bw := bufio.NewWriterSize(tmp, 1<<16)
	if err := write(bw); err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) && pe.Path == tmp.Name() {
			// A write to the temporary file (a full disk): name the target.
			return &os.PathError{Op: "write", Path: path, Err: pe.Err}
		}
		return err
	}
	if err := bw.Flush(); err != nil {
		return &os.PathError{Op: "write", Path: path, Err: unwrapPath(err)}
	}
	if mode != 0 {
		if err := tmp.Chmod(mode); err != nil {
			return &os.PathError{Op: "write", Path: path, Err: unwrapPath(err)}
		}
	}
	if err := tmp.Sync(); err != nil {
		return &os.PathError{Op: "write", Path: path, Err: unwrapPath(err)}
	}
	if err := tmp.Close(); err != nil {
		return &os.PathError{Op: "write", Path: path, Err: unwrapPath(err)}
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return &os.PathError{Op: "write", Path: path, Err: unwrapLink(err)}
	}
	done = true
	syncDir(filepath.Dir(target))
	return nil
}

// resolve follows symbolic links in path's last element, so that the file
// a link names is replaced rather than the link.
func resolve(path string) (string, error) {
	for range 40 {
		st, err := os.Lstat(path)
		if err != nil || st.Mode()&fs.ModeSymlink == 0 {
			return path, nil
		}
		dest, err := os.Readlink(path)
		if err != nil {
			return "", err
		}
		if !filepath.IsAbs(dest) {
			dest = filepath.Join(filepath.Dir(path), dest)
		}
		path = dest
	}
	return "", &os.PathError{Op: "write", Path: path, Err: errors.New("too many levels of symbolic links")}
}

// createTemp makes a new file next to target, named after it, with mode
// 0666 less the umask.
func createTemp(target string) (*os.File, error) {
	dir, base := filepath.Split(target)
	for range 100 {
		var b [6]byte
		rand.Read(b[:])
		name := filepath.Join(dir, fmt.Sprintf(".%s.%s.tmp", base, hex.EncodeToString(b[:])))
		f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
		if !errors.Is(err, fs.ErrExist) {
			return f, err
		}
	}
	return nil, errors.New("cannot make a temporary file name")
}

// syncDir makes the rename durable where the system allows it.
func syncDir(dir string) {
	if dir == "" {
		dir = "."
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

func unwrapPath(err error) error {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

func unwrapLink(err error) error {
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
