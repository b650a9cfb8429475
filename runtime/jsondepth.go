package runtime

// MaxJSONDepth bounds how deeply the JSON a client sends may nest
// (objects and arrays). Real frames and bodies nest two or three levels;
// the limit keeps a 64 KiB body of brackets from costing a deep recursion
// in every decoder and encoder it passes through (attachments are stored
// and sent back as they came).
const MaxJSONDepth = 32

// CheckJSONDepth returns KindInvalid when data nests objects and arrays
// deeper than MaxJSONDepth. It only counts brackets outside strings: it
// does not validate the JSON, which the decoder does after it.
func CheckJSONDepth(data []byte) error {
	depth, inString, escaped := 0, false, false
	for _, b := range data {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch b {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case b == '"':
			inString = true
		case b == '{' || b == '[':
			if depth++; depth > MaxJSONDepth {
				return Errorf(KindInvalid, "the JSON nests deeper than %d levels", MaxJSONDepth)
			}
		case b == '}' || b == ']':
			depth--
		}
	}
	return nil
}
