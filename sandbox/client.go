package sandbox

import (
	"github.com/gotd/td/exchange"
	"github.com/gotd/td/telegram"
	"github.com/gotd/td/telegram/dcs"
	"github.com/gotd/td/tg"
	"github.com/gotd/td/transport"
)

// TelegramOptions returns gotd client options that connect to the server:
// DC, DCList, Resolver (intermediate transport) and PublicKeys. Set the
// rest (SessionStorage, UpdateHandler, Logger...) and pass them to
// telegram.NewClient with any app id and hash. Call it after Start.
func (s *Server) TelegramOptions() telegram.Options {
	ip, port := s.advertised()
	return telegram.Options{
		DC: s.dc,
		DCList: dcs.List{Options: []tg.DCOption{{
			ID:        s.dc,
			IPAddress: ip.String(),
			Port:      port,
			Ipv6:      ip.To4() == nil,
		}}},
		Resolver:   dcs.Plain(dcs.PlainOptions{Protocol: transport.Intermediate}),
		PublicKeys: []exchange.PublicKey{{RSA: s.PublicKey()}},
	}
}
