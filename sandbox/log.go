package sandbox

import (
	"context"

	"github.com/gotd/log"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
)

// zapAdapter adapts a *zap.Logger to the gotd log.Logger port used by
// tgtest.
type zapAdapter struct {
	l *zap.Logger
}

// Enabled implements log.Logger.
func (z zapAdapter) Enabled(_ context.Context, level log.Level) bool {
	return z.l.Core().Enabled(zapLevel(level))
}

// Log implements log.Logger.
func (z zapAdapter) Log(_ context.Context, level log.Level, msg string, attrs ...log.Attr) {
	ce := z.l.Check(zapLevel(level), msg)
	if ce == nil {
		return
	}
	fields := make([]zap.Field, len(attrs))
	for i, a := range attrs {
		fields[i] = zapField(a)
	}
	ce.Write(fields...)
}

func zapLevel(l log.Level) zapcore.Level {
	switch {
	case l < log.LevelInfo:
		return zapcore.DebugLevel
	case l < log.LevelWarn:
		return zapcore.InfoLevel
	case l < log.LevelError:
		return zapcore.WarnLevel
	default:
		return zapcore.ErrorLevel
	}
}

func zapField(a log.Attr) zap.Field {
	v := a.Value
	switch v.Kind() {
	case log.KindString:
		return zap.String(a.Key, v.String())
	case log.KindInt64:
		return zap.Int64(a.Key, v.Int64())
	case log.KindBool:
		return zap.Bool(a.Key, v.Bool())
	case log.KindDuration:
		return zap.Duration(a.Key, v.Duration())
	case log.KindError:
		return zap.NamedError(a.Key, v.Error())
	default:
		return zap.String(a.Key, v.String())
	}
}
