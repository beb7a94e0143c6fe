// Package tensorio reads and writes the tensors lsce works on: NumPy .npy
// files and comma-separated .csv files. It uses the standard library only.
//
// # Reading
//
// [Open] opens a file (or standard input, "-") once and sniffs its format
// from its first bytes through a buffer (the .npy magic "\x93NUMPY", a zip
// archive — a .npz file, refused by name — otherwise CSV), so that pipes,
// FIFOs and <(…) lose nothing; the [Input] is then read whole
// ([Input.Tensor], [Input.TensorMax] with a limit checked before the data
// is loaded) or streamed ([Input.Npy]). [ReadFile] and [Read] read a whole
// file or io.Reader, [ReadNpy] and [ReadCSV] one format. All return a
// [*Tensor]: a dtype, a shape and one typed slice.
//
// [OpenNpy] (a file) and [NewNpyReader] (any reader, such as standard input)
// stream a large .npy file instead of loading it: the header is read at once,
// then ReadFloat64, ReadFloat32 or ReadInt64 decode the next elements in C
// order into a caller's buffer; [NpyReader.Rewind] starts a regular file's
// data over (a pipe is read once). A buffer of k·RowLen() elements yields k
// whole rows (rows along axis 0) per call:
//
//	f, err := tensorio.OpenNpy("logits.npy")
//	if err != nil { … }
//	defer f.Close()
//	buf := make([]float64, 1024*f.RowLen())
//	for {
//		n, err := f.ReadFloat64(buf)
//		// buf[:n] holds n/f.RowLen() rows, starting at row f.Offset()/f.RowLen() before the call
//		if err == io.EOF { break }
//		if err != nil { … }
//	}
//
// # Formats
//
// .npy: format versions 1.0, 2.0 and 3.0; little- or big-endian float32
// ('f4'), float64 ('f8'), int32 ('i4'), int64 ('i8'), and bool ('b1') or
// uint8 ('u1') for masks; C order only. Fortran order, object, structured and
// other dtypes are rejected with an error saying so.
//
// .csv: RFC 4180 as encoding/csv reads it — values separated by commas,
// "\n" or "\r\n" line ends, a value in double quotes may hold commas (a
// quote inside doubled) — one sample per line, a UTF-8 byte-order mark (as
// Excel writes) skipped, spaces around values ignored, lines of at most 64
// MiB. An optional first line none of whose fields is a number is a header
// and is skipped; a header of numeric names ("0,1,2") cannot be told from
// data and is read as data. Every data line must have the same number of
// values; blank lines, empty values and non-numbers are errors. A value is a
// decimal number ("-1.5", "2e-3", ".5") or inf, infinity or nan (any case,
// signed); hexadecimal ("0x1p-2") and underscores ("1_0") are refused. Values
// are read as float64 (NaN and Inf are numbers; the loss rejects them later
// with their place).
//
// # Errors
//
// Every error is an [*Error] naming the file and, where it applies, the place:
// in a .csv file "row R, column C" are the 1-based line and field numbers, as
// an editor shows them; in a .npy file they are 0-based NumPy indices ("row i,
// column j" for rank 2, "index [i, j, k]" otherwise). No input makes a reader
// panic, and a header declaring a huge shape allocates nothing before the file
// size (or the data actually read) confirms it.
//
// # Performance
//
// Data already in the machine's byte order and the requested type (float32
// into ReadFloat32, float64 into ReadFloat64, int64 into ReadInt64) is read
// straight into the caller's buffer: BenchmarkStream measures 3.9 GB/s for
// little-endian float32 from memory, 0.9× a plain io.ReadFull of the same
// bytes (2-core AMD EPYC); other combinations decode at about 1 GB/s.
//
// # Writing
//
// [WriteNpy] and [WriteNpyFile] write float32, float64 or int64 data as a
// version 1.0 little-endian .npy file that numpy.load reads. WriteNpyFile
// replaces the file atomically (a temporary file in the same directory,
// synced, renamed): a failure leaves the previous file as it was.
package tensorio
