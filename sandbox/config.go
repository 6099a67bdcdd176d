package sandbox

import (
	"github.com/gotd/td/bin"
	"github.com/gotd/td/tg"
)

func registerConfig(h map[uint32]handlerFunc) {
	h[tg.HelpGetConfigRequestTypeID] = handle(getConfig)
	h[tg.HelpGetNearestDCRequestTypeID] = handle(getNearestDC)
}

// config is the help.getConfig answer. Its dc_options list only the
// server's own address for its DC, so clients never migrate.
func (s *Server) config() *tg.Config {
	ip, port := s.advertised()
	date := now()
	return &tg.Config{
		Date:    date,
		Expires: date + 3600,
		ThisDC:  s.dc,
		DCOptions: []tg.DCOption{{
			ID:        s.dc,
			IPAddress: ip.String(),
			Port:      port,
			Ipv6:      ip.To4() == nil,
			Static:    true,
		}},
		ChatSizeMax:             200,
		MegagroupSizeMax:        200000,
		ForwardedCountMax:       100,
		OnlineUpdatePeriodMs:    210000,
		OfflineBlurTimeoutMs:    5000,
		OfflineIdleTimeoutMs:    30000,
		OnlineCloudTimeoutMs:    300000,
		NotifyCloudDelayMs:      30000,
		NotifyDefaultDelayMs:    1500,
		PushChatPeriodMs:        60000,
		PushChatLimit:           2,
		EditTimeLimit:           172800,
		RevokeTimeLimit:         2147483647,
		RevokePmTimeLimit:       2147483647,
		RatingEDecay:            2419200,
		StickersRecentLimit:     200,
		ChannelsReadMediaPeriod: 604800,
		CallReceiveTimeoutMs:    20000,
		CallRingTimeoutMs:       90000,
		CallConnectTimeoutMs:    30000,
		CallPacketTimeoutMs:     10000,
		MeURLPrefix:             "https://t.me/",
		CaptionLengthMax:        1024,
		MessageLengthMax:        MaxMessageLength,
		WebfileDCID:             s.dc,
	}
}

func getConfig(s *Server, _ *call, _ *tg.HelpGetConfigRequest) (bin.Encoder, error) {
	return s.config(), nil
}

func getNearestDC(s *Server, _ *call, _ *tg.HelpGetNearestDCRequest) (bin.Encoder, error) {
	return &tg.NearestDC{Country: "XX", ThisDC: s.dc, NearestDC: s.dc}, nil
}
