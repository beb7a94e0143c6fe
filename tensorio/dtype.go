package tensorio

// DType is an element type.
type DType int

const (
	Invalid DType = iota
	Float32       // 4-byte IEEE float ('f4')
	Float64       // 8-byte IEEE float ('f8')
	Int32         // 4-byte signed integer ('i4')
	Int64         // 8-byte signed integer ('i8')
	Bool          // 1-byte boolean ('b1')
	Uint8         // 1-byte unsigned integer ('u1')
)

// String returns NumPy's name: "float32", "float64", "int32", "int64",
// "bool" or "uint8".
func (d DType) String() string {
	switch d {
	case Float32:
		return "float32"
	case Float64:
		return "float64"
	case Int32:
		return "int32"
	case Int64:
		return "int64"
	case Bool:
		return "bool"
	case Uint8:
		return "uint8"
	}
	return "invalid"
}

// Size is the number of bytes of one element.
func (d DType) Size() int {
	switch d {
	case Float32, Int32:
		return 4
	case Float64, Int64:
		return 8
	case Bool, Uint8:
		return 1
	}
	return 0
}

// IsFloat reports whether d is Float32 or Float64.
func (d DType) IsFloat() bool { return d == Float32 || d == Float64 }

// kind is the NumPy type character of d: 'f', 'i', 'b' or 'u'.
func (d DType) kind() byte {
	switch d {
	case Float32, Float64:
		return 'f'
	case Int32, Int64:
		return 'i'
	case Bool:
		return 'b'
	case Uint8:
		return 'u'
	}
	return 0
}
