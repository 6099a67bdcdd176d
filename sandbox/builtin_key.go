package sandbox

import (
	"crypto/rsa"
	"crypto/x509"
	_ "embed"
	"encoding/pem"
	"sync"
)

//go:embed builtin_key.pem
var builtinKeyPEM []byte

// BuiltinKey returns an RSA key compiled into the binary, which spares a
// server the 0.1-0.5 s of generating one. Its private half is public, so it
// is only for a server whose clients are in the same process and dial its
// address directly (tglua --sandbox); a server others connect to must use
// a key of its own.
var BuiltinKey = sync.OnceValue(func() *rsa.PrivateKey {
	block, _ := pem.Decode(builtinKeyPEM)
	if block == nil {
		panic("sandbox: builtin_key.pem holds no PEM block")
	}
	k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
	if err != nil {
		panic("sandbox: parse builtin_key.pem: " + err.Error())
	}
	return k
})
