package lambda

import (
	"bytes"
	"io"
	"sync"
)

// logSink serialises the lines of every function process onto one writer, so
// lines of concurrent processes never interleave mid-line.
type logSink struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *logSink) writeLine(prefix string, line []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	buf := make([]byte, 0, len(prefix)+len(line)+1)
	buf = append(buf, prefix...)
	buf = append(buf, line...)
	buf = append(buf, '\n')
	_, _ = s.w.Write(buf)
}

// lineWriter is one output stream of one process: it cuts what the process
// writes into lines and hands each to the sink with the function's prefix.
type lineWriter struct {
	sink    *logSink
	prefix  string
	mu      sync.Mutex
	partial []byte
}

func (w *lineWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := len(p)
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		if i < 0 {
			w.partial = append(w.partial, p...)
			break
		}
		line := p[:i]
		if len(w.partial) > 0 {
			line = append(w.partial, line...)
			w.partial = w.partial[:0]
		}
		w.sink.writeLine(w.prefix, bytes.TrimSuffix(line, []byte("\r")))
		p = p[i+1:]
	}
	return n, nil
}

// flush writes out a last line that had no newline.
func (w *lineWriter) flush() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.partial) > 0 {
		w.sink.writeLine(w.prefix, w.partial)
		w.partial = nil
	}
}
