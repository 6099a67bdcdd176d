package tghtml

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-faster/errors"
	"github.com/gotd/td/ascii"
	"github.com/gotd/td/telegram/message/entity"
)

// The link rules are gotd's (text_utl.go), unchanged but for two error
// messages that print the user ID with %d rather than %q: the parser drops
// these errors, so no one sees them.

func isIPv6(str string) bool {
	ip := net.ParseIP(str)
	return strings.Contains(str, ":") && ip != nil
}

func validateHostname(u *url.URL) error {
	ipv6 := isIPv6(u.Host)
	if !strings.ContainsRune(u.Host, '.') && ipv6 {
		return errors.New("wrong HTTP URL")
	}
	if ipv6 {
		return nil
	}

	allowedSymbol := func(c rune) bool {
		return ascii.IsLatinLetter(c) ||
			ascii.IsDigit(c) ||
			(c >= '&' && c <= '.') ||
			c == '_' ||
			c == '!' ||
			c == '$' ||
			c == '~' ||
			c == ';' ||
			c == '=' ||
			c > utf8.RuneSelf
	}

	for _, c := range u.Host {
		if !allowedSymbol(c) {
			return errors.Errorf("disallowed character %c in URL host", c)
		}
	}

	return nil
}

// getURLFormatter returns the entity of a link to rawURL: a mention for
// tg://user?id=N (resolved by resolver), else a text URL, "http://" added
// where there is no scheme.
func getURLFormatter(rawURL string, resolver entity.UserResolver) (entity.Formatter, error) {
	const defaultProtocol = "http"
	if rawURL == "" {
		return nil, errors.New("empty URL")
	}

	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, err
	}
	if u.Scheme == "tg" && u.Host == "user" {
		id, err := strconv.ParseInt(u.Query().Get("id"), 10, 64)
		if err != nil {
			return nil, errors.Wrapf(err, "invalid user ID %d", id)
		}

		user, err := resolver(id)
		if err != nil {
			return nil, errors.Wrapf(err, "can't resolve user %d", id)
		}

		return entity.MentionName(user), nil
	}
	if u.Scheme == "" {
		u.Scheme = defaultProtocol
		u.Host = u.Path
		u.Path = "/"
		rawURL = u.String()
	}

	if err := validateHostname(u); err != nil {
		return nil, err
	}

	return entity.TextURL(rawURL), nil
}
