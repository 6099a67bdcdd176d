// Package gateway is tglua's HTTP API: every method of every logged-in
// account over HTTP, on the same codec, peers, flood-wait and split
// machinery the Lua side uses.
//
// An account is a slot with its own session file in the sessions directory
// and a random token, its only credential:
//
//	POST /phone_login              phone=+15550000 -> {"token":"T",...}
//	POST /userT/complete_phone_login  code=12345   -> the user
//	POST /userT/complete_2fa_login    password=... -> the user
//	POST /bot_login                token=123:abc   -> {"token":"T",...}
//	POST /userT/logout             ends the account, deletes its session
//	GET|POST /userT/<ns.method>    any method, e.g. /userT/auth.sendInvites
//	POST /userT/send_file          a multipart file to a peer
//	GET  /userT/getUpdates         long-poll, Bot API semantics
//	POST /userT/setWebhook         push updates to a URL instead
//	GET  /docs/                    the method reference as HTML
//
// Parameters come from the query string, form fields (url-encoded or
// multipart) or a JSON object body. A form value is JSON where the
// parameter's TL type is not a string; for string parameters a JSON string
// literal is decoded and anything else is taken as is. A multipart file
// part is uploaded first: a part named after an InputFile parameter fills
// it, and "attach://<part>" anywhere in the parameters refers to one, as in
// Telegram's bot API.
//
// Answers follow Telegram's bot API: {"ok":true,"result":R} where R is what
// a Lua script gets, as JSON (objects carry "_", a TL long beyond 2^53 is a
// decimal string, a split message is an array of results), or
// {"ok":false,"error_code":N,"description":"TYPE: text","error":{...},
// "parameters":{"retry_after":S}} with the HTTP status equal to error_code.
//
// Each account is a runtime.Runtime whose event loop runs on a goroutine of
// its own (Runtime.Serve); every request is a light thread on it
// (Runtime.Go), so requests for one account overlap and a slow one never
// holds up another. Tokens are never stored or logged: the gateway keeps
// the SHA-256 of each, and the session file is named after it.
package gateway
