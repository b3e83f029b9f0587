// Command goclient is waitbench's reference Go client: it speaks the client protocol,
// version 1 (docs/client-protocol.md), and sends each ticket with net/http the way Go
// code is usually written. waitbench decides when each request leaves; this program
// only sends, and reports each request's times on its own clock.
//
// Patterns, named by the first argument:
//
//   - go-goroutines: one goroutine per ticket (per request in flight), on one
//     http.Client whose Transport keeps up to C connections to the host
//     (MaxConnsPerHost = MaxIdleConnsPerHost = C), so no request reconnects because
//     the idle pool threw its connection away. With the option idle_per_host =
//     "library" the transport keeps Go's default of 2 idle connections per host
//     (http.DefaultMaxIdleConnsPerHost): the library-default artifact, where every
//     request past the second that finishes at once closes its connection and a
//     later one dials a new one.
//   - go-pool: a fixed pool of worker goroutines (option threads, default C) reading
//     tickets from a channel, on the same transport.
//
// Options (the job's "options" object, every key optional): threads (go-pool's
// workers), idle_per_host (a number, "sized" for C, or "library"). Any other key, or
// a cpu_work_ns above 0, makes the client write "fail" rather than run a pattern it
// does not implement.
//
// Clock: nanoseconds since this program started, read with time.Since, which uses Go's
// monotonic clock; waitbench's clock handshake relates it to its own.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// start is the origin of the clock every reported time is read on.
var start = time.Now()

// now is the client's clock: monotonic nanoseconds since start.
func now() int64 { return int64(time.Since(start)) }

// job is the protocol's job message; fields this client does not use are left out.
type job struct {
	Protocol    int      `json:"protocol"`
	URLs        []string `json:"urls"`
	Concurrency int      `json:"concurrency"`
	Request     struct {
		Method     string      `json:"method"`
		Headers    [][2]string `json:"headers"`
		BodyBase64 string      `json:"body_base64"`
	} `json:"request"`
	Timeouts struct {
		ConnectS float64 `json:"connect_s"`
		RequestS float64 `json:"request_s"`
	} `json:"timeouts"`
	Load struct {
		Kind     string `json:"kind"`
		Requests int64  `json:"requests"`
	} `json:"load"`
	ErrorMessages int64                      `json:"error_messages"`
	SelfPaced     bool                       `json:"self_paced"`
	Options       map[string]json.RawMessage `json:"options"`
}

// out writes the client's lines. A record is appended to a buffer and written by the
// flusher goroutine once the goroutines already runnable have run, so the records of
// requests that end together leave in one write (one syscall, and waitbench wakes once
// for them): the times in them were read around each request, so waiting in the
// buffer changes none. Every other line is written at once, after what is buffered,
// so the conversation's order holds. One lock keeps lines whole and in order.
type out struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	pending chan struct{}
}

func newOut(w io.Writer) *out {
	o := &out{w: w, buf: make([]byte, 0, 64*1024), pending: make(chan struct{}, 1)}
	go o.flusher()
	return o
}

// record buffers one line for the flusher.
func (o *out) record(build func(b []byte) []byte) {
	o.mu.Lock()
	first := len(o.buf) == 0
	o.buf = append(build(o.buf), '\n')
	o.mu.Unlock()
	if first {
		select {
		case o.pending <- struct{}{}:
		default:
		}
	}
}

// flusher writes the buffered records when the goroutines ready to run have run.
func (o *out) flusher() {
	for range o.pending {
		runtime.Gosched()
		o.mu.Lock()
		o.flush()
		o.mu.Unlock()
	}
}

// flush writes the buffer; the caller holds mu.
func (o *out) flush() {
	if len(o.buf) > 0 {
		o.w.Write(o.buf)
		o.buf = o.buf[:0]
	}
}

// line writes one line now, after the records buffered before it.
func (o *out) line(build func(b []byte) []byte) {
	o.mu.Lock()
	o.buf = append(build(o.buf), '\n')
	o.flush()
	o.mu.Unlock()
}

func (o *out) text(s string) {
	o.line(func(b []byte) []byte { return append(b, s...) })
}

// fail tells waitbench why the client cannot run, and exits.
func (o *out) fail(format string, args ...any) {
	o.text("fail " + strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " "))
	os.Exit(1)
}

// client is everything a request needs, built before "ready".
type client struct {
	job      *job
	out      *out
	http     *http.Client
	body     []byte
	headers  http.Header
	host     string
	ctx      context.Context
	cancel   context.CancelFunc
	stopped  atomic.Bool
	messages atomic.Int64
	// bare sends without reporting: the baseline the recording's cost is measured
	// against (see bareLoop).
	bare bool
	// slots, in self-paced mode only, holds one token per request in flight.
	slots chan struct{}
}

// send sends request index, reads its whole body and reports it; a ticket that arrives
// after "stop" is dropped unsent.
func (c *client) send(index int64) {
	if c.stopped.Load() {
		c.release()
		return
	}
	url := c.job.URLs[index%int64(len(c.job.URLs))]
	var body io.Reader
	if len(c.body) > 0 {
		body = bytesReader(c.body)
	}
	req, err := http.NewRequestWithContext(c.ctx, c.job.Request.Method, url, body)
	if err != nil {
		c.out.fail("cannot build the request to %s: %v", url, err)
	}
	req.Header = c.headers
	if c.host != "" {
		req.Host = c.host
	}
	sent := now()
	resp, err := c.http.Do(req)
	status := 0
	if err == nil {
		status = resp.StatusCode
		_, err = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if err != nil {
			err = bodyError{err}
		}
	}
	ended := now()
	if c.bare {
		c.release()
		return
	}
	kind := "http"
	if err != nil {
		kind, status = c.outcome(err), 0
	}
	c.out.record(func(b []byte) []byte {
		b = append(b, "r "...)
		b = strconv.AppendInt(b, index, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, sent, 10)
		b = append(b, ' ')
		b = strconv.AppendInt(b, ended, 10)
		b = append(b, ' ')
		b = append(b, kind...)
		b = append(b, ' ')
		return strconv.AppendInt(b, int64(status), 10)
	})
	if err != nil && c.messages.Add(-1) >= 0 {
		text := "message " + kind + " " + strings.ReplaceAll(err.Error(), "\n", " ")
		c.out.record(func(b []byte) []byte { return append(b, text...) })
	}
	c.release()
}

// release frees a self-paced slot when the request that held it has ended.
func (c *client) release() {
	if c.slots != nil {
		<-c.slots
	}
}

// bodyError marks a failure while the body was read, after the status arrived.
type bodyError struct{ error }

func (e bodyError) Unwrap() error { return e.error }

// outcome is the protocol's class of a failed request.
func (c *client) outcome(err error) string {
	var opErr *net.OpError
	var netErr net.Error
	switch {
	case c.stopped.Load() && errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &opErr) && opErr.Op == "dial",
		errors.Is(err, syscall.ECONNREFUSED):
		return "connect"
	case errors.Is(err, context.DeadlineExceeded),
		errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "reset"
	case errors.As(err, new(bodyError)):
		return "body"
	}
	return "other"
}

// pattern is how tickets become requests in flight.
type pattern interface {
	// submit takes a ticket; it never blocks, as waitbench keeps at most C outstanding.
	submit(index int64)
	// finish returns once every submitted ticket was sent and reported, or dropped.
	finish()
	// inFlight is the most requests the pattern can have in flight.
	inFlight() int
	// describe is the pattern's line of the ready message's info.
	describe() string
}

// goroutines starts a goroutine per ticket: Go's idiom for concurrent blocking calls.
type goroutines struct {
	c  *client
	wg sync.WaitGroup
}

func (p *goroutines) submit(index int64) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.c.send(index)
	}()
}

func (p *goroutines) finish()          { p.wg.Wait() }
func (p *goroutines) inFlight() int    { return p.c.job.Concurrency }
func (p *goroutines) describe() string { return "a goroutine per request" }

// pool is a fixed set of worker goroutines reading tickets from a channel.
type pool struct {
	c       *client
	workers int
	tickets chan int64
	wg      sync.WaitGroup
}

func newPool(c *client, workers int) *pool {
	// At most C tickets are outstanding, so a channel of C never blocks the reader.
	p := &pool{c: c, workers: workers, tickets: make(chan int64, c.job.Concurrency)}
	for i := 0; i < workers; i++ {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			for index := range p.tickets {
				p.c.send(index)
			}
		}()
	}
	return p
}

func (p *pool) submit(index int64) { p.tickets <- index }

func (p *pool) finish() {
	close(p.tickets)
	p.wg.Wait()
}

func (p *pool) inFlight() int { return min(p.workers, p.c.job.Concurrency) }
func (p *pool) describe() string {
	return fmt.Sprintf("%d worker goroutines reading a channel", p.workers)
}

func min(a, b int) int {
	if a < b {
		return a
	}
	return b
}

// options are the job's options, checked: an unknown key is a mistake worth a "fail".
type options struct {
	threads int
	// idle is MaxIdleConnsPerHost; 0 leaves Go's default of 2.
	idle int
	// idleText says how idle was chosen, for the ready message.
	idleText string
}

func parseOptions(j *job, o *out) options {
	opts := options{threads: j.Concurrency, idle: j.Concurrency, idleText: "sized (C)"}
	for key, raw := range j.Options {
		var number int64
		numeric := json.Unmarshal(raw, &number) == nil
		var text string
		json.Unmarshal(raw, &text)
		switch {
		case key == "threads" && numeric && number > 0:
			opts.threads = int(number)
		case key == "idle_per_host" && numeric && number >= 0:
			opts.idle, opts.idleText = int(number), strconv.FormatInt(number, 10)
			if number == 0 {
				// Go reads 0 as "the default"; keep nothing idle as asked instead.
				opts.idle = -1
			}
		case key == "idle_per_host" && (text == "sized" || text == "concurrency"):
		case key == "idle_per_host" && text == "library":
			opts.idle = 0
			opts.idleText = fmt.Sprintf("library (Go's default, %d)", http.DefaultMaxIdleConnsPerHost)
		case key == "cpu_work_ns" && numeric && number == 0, key == "ticker" && string(raw) == "false":
		default:
			o.fail("option %s = %s is not supported by the Go client (it takes threads and idle_per_host)", key, raw)
		}
	}
	return opts
}

// newClient builds the HTTP client and everything a request needs.
func newClient(j *job, o *out, opts options) *client {
	connect := time.Duration(j.Timeouts.ConnectS * float64(time.Second))
	transport := &http.Transport{
		// Loopback only, and no proxy: exactly the request the job describes.
		Proxy:               nil,
		DialContext:         (&net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        0, // no limit across hosts: the per-host limits below decide
		MaxIdleConnsPerHost: opts.idle,
		MaxConnsPerHost:     j.Concurrency,
		IdleConnTimeout:     90 * time.Second,
		// Send exactly the job's headers: no Accept-Encoding added behind its back.
		DisableCompression: true,
	}
	body, err := base64.StdEncoding.DecodeString(j.Request.BodyBase64)
	if err != nil {
		o.fail("the job's request body_base64 is not base64: %v", err)
	}
	headers := http.Header{}
	host := ""
	for _, h := range j.Request.Headers {
		if strings.EqualFold(h[0], "host") {
			host = h[1]
			continue
		}
		headers.Add(h[0], h[1])
	}
	ctx, cancel := context.WithCancel(context.Background())
	c := &client{
		job:     j,
		out:     o,
		http:    &http.Client{Transport: transport, Timeout: time.Duration(j.Timeouts.RequestS * float64(time.Second))},
		body:    body,
		headers: headers,
		host:    host,
		ctx:     ctx,
		cancel:  cancel,
	}
	c.messages.Store(j.ErrorMessages)
	if j.SelfPaced {
		c.slots = make(chan struct{}, j.Concurrency)
	}
	return c
}

// bytesReader is a fresh reader over the request body for each request.
func bytesReader(b []byte) io.Reader { return bytes.NewReader(b) }

func main() {
	// Non-blocking pipes go through Go's netpoller: a goroutine waiting for a ticket
	// parks instead of holding an OS thread in read(2), and wakes with the network's
	// goroutines, with no thread handed off. Pipes only: a terminal's flags outlive us.
	stdin, stdout := os.Stdin, os.Stdout
	if isPipe(0) && isPipe(1) && syscall.SetNonblock(0, true) == nil && syscall.SetNonblock(1, true) == nil {
		stdin, stdout = os.NewFile(0, "stdin"), os.NewFile(1, "stdout")
	}
	o := newOut(stdout)
	bare := len(os.Args) == 3 && os.Args[2] == "--bare"
	if (len(os.Args) != 2 && !bare) || (os.Args[1] != "go-goroutines" && os.Args[1] != "go-pool") {
		fmt.Fprintln(os.Stderr, "usage: goclient go-goroutines|go-pool [--bare] (speaks waitbench's client protocol on stdin/stdout)")
		os.Exit(2)
	}
	in := bufio.NewScanner(stdin)
	in.Buffer(make([]byte, 64*1024), 64<<20) // a job with many urls is one long line
	if !in.Scan() {
		os.Exit(1)
	}
	first := in.Text()
	word, rest, _ := strings.Cut(first, " ")
	if word != "job" {
		o.fail("expected a job line first, got %q", first)
	}
	var j job
	if err := json.Unmarshal([]byte(rest), &j); err != nil {
		o.fail("the job line is not the expected JSON: %v", err)
	}
	if j.Protocol != 1 {
		o.fail("unsupported protocol %d", j.Protocol)
	}
	if len(j.URLs) == 0 || j.Concurrency < 1 {
		o.fail("the job needs at least one url and a concurrency of 1 or more")
	}
	opts := parseOptions(&j, o)
	c := newClient(&j, o, opts)
	var p pattern
	if os.Args[1] == "go-pool" {
		p = newPool(c, opts.threads)
	} else {
		p = &goroutines{c: c}
	}
	if bare {
		bareLoop(c, p)
		return
	}
	ready, _ := json.Marshal(map[string]any{
		"client":    "net/http " + runtime.Version(),
		"runtime":   runtime.Version(),
		"in_flight": p.inFlight(),
		"info": map[string]string{
			"pattern":       p.describe(),
			"transport":     fmt.Sprintf("MaxConnsPerHost %d, MaxIdleConnsPerHost %s", j.Concurrency, opts.idleText),
			"GOMAXPROCS":    strconv.Itoa(runtime.GOMAXPROCS(0)),
			"clock":         "time.Since(client start), monotonic",
			"body handling": "io.Copy(io.Discard, resp.Body)",
		},
	})
	o.text("ready " + string(ready))

	var once sync.Once
	var paced sync.WaitGroup
	quit := make(chan struct{})
	finish := func() {
		once.Do(func() {
			paced.Wait()
			p.finish()
			o.text("done")
		})
	}
	for in.Scan() {
		// A ticket is read from the scanner's bytes: no string per ticket.
		if raw := in.Bytes(); len(raw) > 2 && raw[0] == 't' && raw[1] == ' ' {
			index, ok := parseIndex(raw[2:])
			if !ok {
				o.fail("bad ticket line %q", raw)
			}
			p.submit(index)
			continue
		}
		line := in.Text()
		word, rest, _ := strings.Cut(line, " ")
		switch word {
		case "clock":
			o.text("clock " + rest + " " + strconv.FormatInt(now(), 10))
			continue
		case "go":
			if j.SelfPaced {
				paced.Add(1)
				go selfPaced(c, p, quit, &paced, finish)
			}
			continue
		case "end":
		case "stop":
			c.stopped.Store(true)
			c.cancel()
		default:
			o.fail("unknown message %q", line)
		}
		break
	}
	// end, stop or the end of stdin: no more tickets.
	close(quit)
	finish()
	io.Copy(io.Discard, stdin) // stay alive until waitbench closes stdin
}

// selfPaced numbers the requests itself and keeps C in flight, until the batch's size
// or "end" (self-paced mode, for L = 0 at low C where a ticket's round trip would show).
func selfPaced(c *client, p pattern, quit <-chan struct{}, paced *sync.WaitGroup, finish func()) {
	limit := int64(-1)
	if c.job.Load.Kind == "batch" {
		limit = c.job.Load.Requests
	}
	var index int64
	for ; limit < 0 || index < limit; index++ {
		select {
		case c.slots <- struct{}{}:
		case <-quit:
			paced.Done()
			return
		}
		p.submit(index)
	}
	paced.Done()
	go finish()
}

// bareLoop is the baseline of the recording's cost: the job's batch sent by the same
// pattern with C in flight and nothing reported, no tickets read and no lines written.
// It prints "bare REQUESTS SECONDS CPU_NS", the process's CPU time over the loop.
func bareLoop(c *client, p pattern) {
	c.bare = true
	c.slots = make(chan struct{}, c.job.Concurrency)
	cpu0, start := cpuNanos(), now()
	for index := int64(0); index < c.job.Load.Requests; index++ {
		c.slots <- struct{}{}
		p.submit(index)
	}
	p.finish()
	elapsed, cpu := now()-start, cpuNanos()-cpu0
	c.out.text(fmt.Sprintf("bare %d %.6f %d", c.job.Load.Requests, float64(elapsed)/1e9, cpu))
}

// cpuNanos is the process's CPU time so far, user and system.
func cpuNanos() int64 {
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	return usage.Utime.Nano() + usage.Stime.Nano()
}

// isPipe says whether file descriptor fd is a pipe.
func isPipe(fd int) bool {
	var st syscall.Stat_t
	return syscall.Fstat(fd, &st) == nil && st.Mode&syscall.S_IFMT == syscall.S_IFIFO
}

// parseIndex reads a ticket's decimal index.
func parseIndex(digits []byte) (int64, bool) {
	if len(digits) == 0 || len(digits) > 18 {
		return 0, false
	}
	var n int64
	for _, d := range digits {
		if d < '0' || d > '9' {
			return 0, false
		}
		n = n*10 + int64(d-'0')
	}
	return n, true
}
