package luastr

// The pattern matcher: a port of Lua 5.1's lstrlib.c (match and its
// helpers) to Go, on byte indexes into the subject and the pattern instead
// of C pointers. It differs from the C code in three ways: the pattern has
// an explicit end, so "\x00" in a pattern is an ordinary byte; every step
// is counted on the meter, which may stop the match with a Lua error; and
// recursion is bounded by maxDepth as in Lua 5.2 and later (Lua 5.1 only
// has the C stack).

const (
	// maxCaptures is LUA_MAXCAPTURES.
	maxCaptures = 32
	// maxDepth is lstrlib.c's MAXCCALLS: how deeply match may recurse.
	maxDepth = 200

	capUnfinished = -1
	capPosition   = -2

	noMatch = -1
)

type capture struct {
	init int // index into src
	len  int // or capUnfinished, capPosition
}

// matcher is lstrlib.c's MatchState. It is made afresh for each call of a
// builtin, so an error raised in the middle of a match leaves nothing
// behind.
type matcher struct {
	meter
	src     string
	pat     string
	level   int // captures started
	depth   int // recursion levels left
	capture [maxCaptures]capture
}

// init readies m to match pat against src, counting on mt.
func (m *matcher) init(mt meter, src, pat string) {
	m.meter = mt
	m.src = src
	m.pat = pat
	m.depth = maxDepth
}

func (m *matcher) error(msg string) {
	m.L.RaiseError("%s", msg)
}

// find is one attempt of the match loop of str_find_aux, gmatch and gsub:
// it matches the whole pattern at s and returns where the match ends, or
// noMatch.
func (m *matcher) find(s int) int {
	m.level = 0
	return m.match(s, 0)
}

// classEnd returns the index just after the single-character class at p.
func (m *matcher) classEnd(p int) int {
	pat := m.pat
	c := pat[p]
	p++
	switch c {
	case '%':
		if p >= len(pat) {
			m.error("malformed pattern (ends with '%')")
		}
		return p + 1
	case '[':
		if p < len(pat) && pat[p] == '^' {
			p++
		}
		for { // look for a ']'; the first character is never it
			if p >= len(pat) {
				m.error("malformed pattern (missing ']')")
			}
			c := pat[p]
			p++
			if c == '%' && p < len(pat) {
				p++ // skip escapes (e.g. '%]')
			}
			if p < len(pat) && pat[p] == ']' {
				return p + 1
			}
		}
	}
	return p
}

// matchBracket reports whether c is in the set [...] from p (its '[') to
// ec (its ']').
func (m *matcher) matchBracket(c byte, p, ec int) bool {
	pat := m.pat
	sig := true
	if pat[p+1] == '^' {
		sig = false
		p++
	}
	for p++; p < ec; p++ {
		switch {
		case pat[p] == '%':
			p++
			if matchClass(c, pat[p]) {
				return sig
			}
		case pat[p+1] == '-' && p+2 < ec:
			p += 2
			if pat[p-2] <= c && c <= pat[p] {
				return sig
			}
		case pat[p] == c:
			return sig
		}
	}
	return !sig
}

// singleMatch reports whether the byte at s matches the class from p to ep;
// it counts one step.
func (m *matcher) singleMatch(s, p, ep int) bool {
	m.step()
	if s >= len(m.src) {
		return false
	}
	c := m.src[s]
	switch m.pat[p] {
	case '.':
		return true
	case '%':
		return matchClass(c, m.pat[p+1])
	case '[':
		return m.matchBracket(c, p, ep-1)
	default:
		return m.pat[p] == c
	}
}

// match matches the pattern from p at s and returns the end of the match,
// or noMatch.
func (m *matcher) match(s, p int) int {
	if m.depth == 0 {
		m.error("pattern too complex")
	}
	m.depth--
	s = m.doMatch(s, p)
	m.depth++
	return s
}

func (m *matcher) doMatch(s, p int) int {
	pat := m.pat
	for { // each iteration is C's "goto init" (a tail call)
		m.step()
		if p >= len(pat) { // end of pattern
			return s
		}
		switch pat[p] {
		case '(':
			if p+1 < len(pat) && pat[p+1] == ')' {
				return m.startCapture(s, p+2, capPosition)
			}
			return m.startCapture(s, p+1, capUnfinished)
		case ')':
			return m.endCapture(s, p+1)
		case '$':
			if p+1 == len(pat) { // the last character: an anchor
				if s == len(m.src) {
					return s
				}
				return noMatch
			}
		case '%':
			if p+1 < len(pat) {
				switch c := pat[p+1]; {
				case c == 'b':
					if s = m.matchBalance(s, p+2); s == noMatch {
						return noMatch
					}
					p += 4
					continue
				case c == 'f':
					p += 2
					if p >= len(pat) || pat[p] != '[' {
						m.error("missing '[' after '%f' in pattern")
					}
					ep := m.classEnd(p)
					var prev, cur byte
					if s > 0 {
						prev = m.src[s-1]
					}
					if s < len(m.src) {
						cur = m.src[s]
					}
					if m.matchBracket(prev, p, ep-1) || !m.matchBracket(cur, p, ep-1) {
						return noMatch
					}
					p = ep
					continue
				case '0' <= c && c <= '9': // back-reference %1-%9
					if s = m.matchCapture(s, c); s == noMatch {
						return noMatch
					}
					p += 2
					continue
				}
			}
		}
		// a single-character class, perhaps with a quantifier
		ep := m.classEnd(p)
		matched := m.singleMatch(s, p, ep)
		if ep < len(pat) {
			switch pat[ep] {
			case '?':
				if matched {
					if r := m.match(s+1, ep+1); r != noMatch {
						return r
					}
				}
				p = ep + 1
				continue
			case '*':
				return m.maxExpand(s, p, ep)
			case '+':
				if !matched {
					return noMatch
				}
				return m.maxExpand(s+1, p, ep)
			case '-':
				return m.minExpand(s, p, ep)
			}
		}
		if !matched {
			return noMatch
		}
		s++
		p = ep
	}
}

// maxExpand matches as many repetitions of the class from p to ep as
// possible, then backtracks one at a time (greedy * and +).
func (m *matcher) maxExpand(s, p, ep int) int {
	i := 0
	for m.singleMatch(s+i, p, ep) {
		i++
	}
	for ; i >= 0; i-- {
		if r := m.match(s+i, ep+1); r != noMatch {
			return r
		}
	}
	return noMatch
}

// minExpand matches as few repetitions as possible, adding one at a time
// (lazy -).
func (m *matcher) minExpand(s, p, ep int) int {
	for {
		if r := m.match(s, ep+1); r != noMatch {
			return r
		}
		if !m.singleMatch(s, p, ep) {
			return noMatch
		}
		s++
	}
}

// matchBalance matches %bxy at s, with x and y at p and p+1.
func (m *matcher) matchBalance(s, p int) int {
	if p+1 >= len(m.pat) {
		m.error("unbalanced pattern")
	}
	src := m.src
	if s >= len(src) || src[s] != m.pat[p] {
		return noMatch
	}
	b, e := m.pat[p], m.pat[p+1]
	cont := 1
	for s++; s < len(src); s++ {
		m.step()
		switch src[s] {
		case e:
			if cont--; cont == 0 {
				return s + 1
			}
		case b:
			cont++
		}
	}
	return noMatch
}

func (m *matcher) startCapture(s, p, what int) int {
	if m.level >= maxCaptures {
		m.error("too many captures")
	}
	m.capture[m.level] = capture{init: s, len: what}
	m.level++
	r := m.match(s, p)
	if r == noMatch {
		m.level-- // undo the capture
	}
	return r
}

func (m *matcher) endCapture(s, p int) int {
	l := m.captureToClose()
	m.capture[l].len = s - m.capture[l].init
	r := m.match(s, p)
	if r == noMatch {
		m.capture[l].len = capUnfinished // undo the capture
	}
	return r
}

func (m *matcher) captureToClose() int {
	for l := m.level - 1; l >= 0; l-- {
		if m.capture[l].len == capUnfinished {
			return l
		}
	}
	m.error("invalid pattern capture")
	return 0
}

// matchCapture matches back-reference %c (a digit) at s.
func (m *matcher) matchCapture(s int, c byte) int {
	l := int(c) - '1'
	if l < 0 || l >= m.level || m.capture[l].len == capUnfinished {
		m.error("invalid capture index")
	}
	cp := m.capture[l]
	if cp.len < 0 { // a position capture: C compares its length as a huge size_t
		return noMatch
	}
	m.addBytes(cp.len)
	if len(m.src)-s >= cp.len && m.src[cp.init:cp.init+cp.len] == m.src[s:s+cp.len] {
		return s + cp.len
	}
	return noMatch
}
