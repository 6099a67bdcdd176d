package docsite

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// chromium finds the browser, skipping the test without one (failing on
// CI, which installs it).
func chromium(t *testing.T) string {
	t.Helper()
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("chromium is not installed")
	}
	t.Skip("chromium is not installed")
	return ""
}

// runChromium runs a headless chromium with its own profile and returns
// its standard output. Chromium's complaints on stderr are only logged.
func runChromium(t *testing.T, bin string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	base := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
		"--no-first-run", "--hide-scrollbars", "--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, bin, append(base, args...)...)
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	if n := strings.Count(stderr.String(), "\n"); n > 0 {
		t.Logf("chromium wrote %d lines to stderr (ignored)", n)
	}
	return stdout.Bytes()
}

// TestBrowserScreenshot renders the auth.sendInvites page in a real browser:
// the screenshot must be a full-size picture with something on it, and the
// DOM the browser built must hold the parameter table. With
// TGLUA_SCREENSHOT set, the PNG is copied there.
func TestBrowserScreenshot(t *testing.T) {
	bin := chromium(t)
	srv := newServer(t)
	pageURL := srv.URL + "/docs/auth.sendInvites"

	shot := filepath.Join(t.TempDir(), "shot.png")
	runChromium(t, bin, "--screenshot="+shot, "--window-size=1280,1600", pageURL)
	data, err := os.ReadFile(shot)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 1600 {
		t.Errorf("screenshot is %dx%d, want 1280x1600", b.Dx(), b.Dy())
	}
	if n := colours(img); n < 32 {
		t.Errorf("screenshot has %d colours: a blank page?", n)
	}
	if out := os.Getenv("TGLUA_SCREENSHOT"); out != "" {
		if err := os.WriteFile(out, data, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot written to %s", out)
	}

	dom := string(runChromium(t, bin, "--dump-dom", pageURL))
	for _, want := range []string{
		`<table class="params">`,
		`<td><code>phone_numbers</code></td>`,
		`<span class="array">Array of <a href="/docs/string">string</a></span>`,
		`<td><code>MESSAGE_EMPTY</code></td>`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the browser's DOM lacks %s", want)
		}
	}
}

// colours counts the distinct colours of img.
func colours(img image.Image) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 2 {
		for x := b.Min.X; x < b.Max.X; x += 2 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
		}
	}
	return len(seen)
}
