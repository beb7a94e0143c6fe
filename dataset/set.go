package dataset

import (
	"fmt"
)

// Set is a labelled image data set held in memory.
type Set struct {
	// Name says where the set came from (for messages), e.g. "mnist train".
	Name string
	// N is the number of images, Rows×Cols their size, Classes the number of
	// labels (labels are in [0, Classes)).
	N, Rows, Cols, Classes int
	// Pixels holds N images of Rows×Cols bytes each, row-major, 0 = background.
	Pixels []byte
	// Labels holds one label per image.
	Labels []int
}

// Dim is the number of pixels of one image.
func (s *Set) Dim() int { return s.Rows * s.Cols }

// Image returns the pixels of image i.
func (s *Set) Image(i int) []byte { return s.Pixels[i*s.Dim() : (i+1)*s.Dim()] }

// NewSet pairs an images file (idx3: count, rows, cols) with a labels file
// (idx1: count) read by ReadIDX, checking that the counts agree and that every
// label is below classes. imagesName and labelsName are used in messages.
func NewSet(name string, images *IDX, imagesName string, labels *IDX, labelsName string, classes int) (*Set, error) {
	if len(images.Dims) != 3 {
		return nil, fmt.Errorf("%s: an images file has 3 dimensions (count, rows, cols), this one has %d %v", imagesName, len(images.Dims), images.Dims)
	}
	if len(labels.Dims) != 1 {
		return nil, fmt.Errorf("%s: a labels file has 1 dimension (count), this one has %d %v", labelsName, len(labels.Dims), labels.Dims)
	}
	if images.Dims[0] != labels.Dims[0] {
		return nil, fmt.Errorf("%s has %d images but %s has %d labels", imagesName, images.Dims[0], labelsName, labels.Dims[0])
	}
	if images.Dims[1] == 0 || images.Dims[2] == 0 {
		return nil, fmt.Errorf("%s: images of size %d×%d", imagesName, images.Dims[1], images.Dims[2])
	}
	s := &Set{Name: name, N: images.Dims[0], Rows: images.Dims[1], Cols: images.Dims[2], Classes: classes,
		Pixels: images.Data, Labels: make([]int, labels.Dims[0])}
	for i, l := range labels.Data {
		if int(l) >= classes {
			return nil, &FormatError{File: labelsName, Offset: int64(8 + i),
				Msg: fmt.Sprintf("label %d of item %d is not in [0, %d)", l, i, classes)}
		}
		s.Labels[i] = int(l)
	}
	return s, nil
}

// Subset returns the images [from, to) of s, sharing its memory.
func (s *Set) Subset(name string, from, to int) *Set {
	d := s.Dim()
	return &Set{Name: name, N: to - from, Rows: s.Rows, Cols: s.Cols, Classes: s.Classes,
		Pixels: s.Pixels[from*d : to*d], Labels: s.Labels[from:to]}
}
