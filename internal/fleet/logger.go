package fleet

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/open-policy-agent/opa/v1/logging"
)

// slogLogger is OPA's logging.Logger over the server's slog logger, so the
// plugins' lines (bundle activated, upload failed) come out as the server's.
type slogLogger struct {
	log   *slog.Logger
	level logging.Level
}

func newLogger(l *slog.Logger) logging.Logger {
	if l == nil {
		l = slog.Default()
	}
	return &slogLogger{log: l.With("component", "opa"), level: logging.Info}
}

func (l *slogLogger) emit(level slog.Level, format string, a ...any) {
	if l.log.Enabled(context.Background(), level) {
		l.log.Log(context.Background(), level, fmt.Sprintf(format, a...))
	}
}

func (l *slogLogger) Debug(format string, a ...any) {
	if l.level >= logging.Debug {
		l.emit(slog.LevelDebug, format, a...)
	}
}
func (l *slogLogger) Info(format string, a ...any)  { l.emit(slog.LevelInfo, format, a...) }
func (l *slogLogger) Warn(format string, a ...any)  { l.emit(slog.LevelWarn, format, a...) }
func (l *slogLogger) Error(format string, a ...any) { l.emit(slog.LevelError, format, a...) }

func (l *slogLogger) WithFields(fields map[string]any) logging.Logger {
	args := make([]any, 0, 2*len(fields))
	for k, v := range fields {
		args = append(args, k, v)
	}
	return &slogLogger{log: l.log.With(args...), level: l.level}
}

func (l *slogLogger) GetLevel() logging.Level      { return l.level }
func (l *slogLogger) SetLevel(level logging.Level) { l.level = level }
