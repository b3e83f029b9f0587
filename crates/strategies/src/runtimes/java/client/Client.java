import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * waitbench's reference Java client: it speaks the client protocol, version 1
 * (docs/client-protocol.md), with {@code java.net.http.HttpClient} on HTTP/1.1. waitbench
 * decides when each request leaves; this program only sends, and reports each request's
 * times on {@code System.nanoTime()}.
 *
 * <p>Patterns, named by the first argument:
 *
 * <ul>
 *   <li>{@code java-threads}: the blocking {@code send} on a fixed pool of platform threads
 *       (option {@code threads}, default C), started before "ready";
 *   <li>{@code java-virtual-threads}: the blocking {@code send} on one virtual thread per
 *       request ({@code Executors.newVirtualThreadPerTaskExecutor}, Java 21+);
 *   <li>{@code java-async}: {@code sendAsync}, one {@code CompletableFuture} per request.
 * </ul>
 *
 * <p>It is compiled for Java 17 so that any JDK from 17 on builds it, and reaches the
 * virtual-thread executor by reflection: on a runtime older than 21 that pattern writes
 * "fail" with the reason instead of running something else under its name.
 */
public final class Client {
    private static final String[] PATTERNS = {"java-threads", "java-virtual-threads", "java-async"};

    private final OutputStream out = System.out;
    private final Object outLock = new Object();
    /** Lines not yet written, and whether the flusher has been told of them (under outLock). */
    private final StringBuilder buffered = new StringBuilder(1 << 16);
    private boolean flushDue;
    private final Map<String, Object> job;
    private final String pattern;
    private final HttpClient http;
    private final HttpRequest[] requests;
    private final int concurrency;
    private final AtomicLong messages;
    private volatile boolean stopped;
    /** java-async's requests sent and not yet reported, by index: what "stop" cancels. */
    private final ConcurrentHashMap<Long, CompletableFuture<?>> inFlight = new ConcurrentHashMap<>();
    /** The pattern's executor (none for java-async). */
    private final ExecutorService executor;
    private final int threads;
    /** Self-paced mode only: one permit per request that may be in flight. */
    private final Semaphore slots;
    /** Sends without reporting: the baseline the recording's cost is measured against. */
    private boolean bare;

    private Client(String pattern, Map<String, Object> job) throws Exception {
        this.pattern = pattern;
        this.job = job;
        this.concurrency = ((Number) job.get("concurrency")).intValue();
        Map<String, Object> timeouts = map(job.get("timeouts"));
        Map<String, Object> request = map(job.get("request"));
        Map<String, Object> options = job.containsKey("options") ? map(job.get("options")) : Map.of();
        int threads = concurrency;
        for (Map.Entry<String, Object> option : options.entrySet()) {
            String key = option.getKey();
            Object value = option.getValue();
            if (key.equals("threads") && pattern.equals("java-threads") && value instanceof Number && ((Number) value).intValue() > 0) {
                threads = ((Number) value).intValue();
            } else if (!(key.equals("cpu_work_ns") && value instanceof Number && ((Number) value).longValue() == 0)
                    && !(key.equals("ticker") && Boolean.FALSE.equals(value))
                    && !(key.equals("idle_per_host") && ("sized".equals(value) || "concurrency".equals(value)))) {
                throw new Failure("option " + key + " = " + value + " is not supported by " + pattern);
            }
        }
        this.threads = threads;
        this.messages = new AtomicLong(((Number) job.getOrDefault("error_messages", 0)).longValue());
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(seconds(timeouts.get("connect_s")))
                .build();
        List<Object> urls = list(job.get("urls"));
        byte[] body = Base64.getDecoder().decode((String) request.getOrDefault("body_base64", ""));
        this.requests = new HttpRequest[urls.size()];
        for (int i = 0; i < urls.size(); i++) {
            HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create((String) urls.get(i)))
                    .timeout(seconds(timeouts.get("request_s")))
                    .method((String) request.get("method"), body.length == 0
                            ? HttpRequest.BodyPublishers.noBody()
                            : HttpRequest.BodyPublishers.ofByteArray(body));
            for (Object header : list(request.get("headers"))) {
                List<Object> pair = list(header);
                builder.header((String) pair.get(0), (String) pair.get(1));
            }
            requests[i] = builder.build();
        }
        switch (pattern) {
            case "java-threads":
                ThreadPoolExecutor pool = (ThreadPoolExecutor) Executors.newFixedThreadPool(threads);
                pool.prestartAllCoreThreads();
                executor = pool;
                break;
            case "java-virtual-threads":
                executor = virtualThreadPerTask();
                // Start the virtual-thread scheduler (its carrier threads and classes) now,
                // before "ready", so that the first ticket does not pay for it.
                executor.submit(() -> { }).get();
                break;
            default:
                executor = null;
        }
        slots = Boolean.TRUE.equals(job.get("self_paced")) ? new Semaphore(concurrency) : null;
    }

    /** {@code Executors.newVirtualThreadPerTaskExecutor()}, reached by reflection: Java 21+. */
    private static ExecutorService virtualThreadPerTask() throws Failure {
        try {
            return (ExecutorService) Executors.class.getMethod("newVirtualThreadPerTaskExecutor").invoke(null);
        } catch (NoSuchMethodException e) {
            throw new Failure("virtual threads need Java 21 or newer; this runtime is Java "
                    + Runtime.version().feature());
        } catch (ReflectiveOperationException e) {
            throw new Failure("cannot make a virtual-thread executor: " + e);
        }
    }

    /** A reason the client cannot run, written as the protocol's "fail" line. */
    private static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        Failure(String reason) {
            super(reason);
        }
    }

    private static Duration seconds(Object value) {
        return Duration.ofNanos((long) (((Number) value).doubleValue() * 1e9));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return (Map<String, Object>) value;
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(Object value) {
        return (List<Object>) value;
    }

    /**
     * Writes one line now, after the records buffered before it, in one write under a
     * lock, so lines of many threads never mix and the conversation's order holds.
     */
    private void say(String line) {
        synchronized (outLock) {
            buffered.append(line).append('\n');
            writeBuffered();
        }
    }

    /**
     * Buffers a record line for the flusher thread, which writes what has gathered once
     * it runs: the records of requests that end together leave in one write (one
     * syscall, one wake-up of waitbench). Their times were read around each request, so
     * the wait in the buffer changes none.
     */
    private void record(String line) {
        synchronized (outLock) {
            buffered.append(line).append('\n');
            if (!flushDue) {
                flushDue = true;
                outLock.notify();
            }
        }
    }

    /** The flusher thread's loop: waits for a record, lets the threads ready to run go first, writes. */
    private void flusher() {
        try {
            while (true) {
                synchronized (outLock) {
                    while (!flushDue) {
                        outLock.wait();
                    }
                }
                Thread.yield();
                synchronized (outLock) {
                    writeBuffered();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Writes what is buffered; the caller holds outLock. */
    private void writeBuffered() {
        flushDue = false;
        if (buffered.length() == 0) {
            return;
        }
        try {
            out.write(buffered.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            System.exit(1); // waitbench is gone
        }
        buffered.setLength(0);
    }

    private String ready() {
        String inFlight = String.valueOf(pattern.equals("java-threads") ? Math.min(threads, concurrency) : concurrency);
        String how;
        switch (pattern) {
            case "java-threads":
                how = "HttpClient.send on a fixed pool of " + threads + " platform threads";
                break;
            case "java-virtual-threads":
                how = "HttpClient.send on a virtual thread per request";
                break;
            default:
                how = "HttpClient.sendAsync, a CompletableFuture per request";
        }
        String runtime = System.getProperty("java.vm.name") + " " + Runtime.version();
        return "ready {\"client\":\"java.net.http.HttpClient (HTTP/1.1) " + Runtime.version().feature()
                + "\",\"runtime\":" + quote(runtime) + ",\"in_flight\":" + inFlight
                + ",\"info\":{\"pattern\":" + quote(how) + ",\"clock\":\"System.nanoTime()\""
                + ",\"body handling\":\"BodyHandlers.discarding()\"}}";
    }

    /** Takes ticket {@code index}: the pattern sends it. */
    private void submit(long index) {
        if (stopped) {
            release();
            return;
        }
        if (executor == null) {
            sendAsync(index);
        } else {
            executor.execute(() -> sendBlocking(index));
        }
    }

    private void sendBlocking(long index) {
        if (stopped) {
            release(); // a ticket still queued at "stop" is dropped unsent
            return;
        }
        long sent = System.nanoTime();
        try {
            HttpResponse<Void> response = http.send(requests[(int) (index % requests.length)],
                    HttpResponse.BodyHandlers.discarding());
            report(index, sent, response.statusCode(), null);
        } catch (Exception e) {
            report(index, sent, 0, e);
        }
    }

    private void sendAsync(long index) {
        long sent = System.nanoTime();
        CompletableFuture<HttpResponse<Void>> future = http.sendAsync(
                requests[(int) (index % requests.length)], HttpResponse.BodyHandlers.discarding());
        inFlight.put(index, future);
        future.whenComplete((response, error) ->
                report(index, sent, response == null ? 0 : response.statusCode(), error));
    }

    private void report(long index, long sent, int status, Throwable error) {
        long ended = System.nanoTime();
        inFlight.remove(index);
        if (bare) {
            release();
            return;
        }
        if (error == null) {
            record("r " + index + " " + sent + " " + ended + " http " + status);
        } else {
            String kind = outcome(error);
            record("r " + index + " " + sent + " " + ended + " " + kind + " 0");
            if (messages.getAndDecrement() > 0) {
                record("message " + kind + " " + String.valueOf(unwrap(error)).replace('\n', ' '));
            }
        }
        release();
    }

    private void release() {
        if (slots != null) {
            slots.release();
        }
    }

    private static Throwable unwrap(Throwable error) {
        while (error instanceof CompletionException && error.getCause() != null) {
            error = error.getCause();
        }
        return error;
    }

    /** The protocol's class of a failed request. */
    private String outcome(Throwable error) {
        error = unwrap(error);
        if (error instanceof CancellationException || error instanceof InterruptedException) {
            return "cancelled";
        }
        if (error instanceof HttpConnectTimeoutException || error instanceof ConnectException) {
            return "connect";
        }
        if (error instanceof HttpTimeoutException) {
            return "timeout";
        }
        String text = String.valueOf(error.getMessage()).toLowerCase();
        if (stopped && error instanceof IOException && text.contains("interrupt")) {
            return "cancelled";
        }
        if (error instanceof IOException && (text.contains("reset") || text.contains("closed")
                || text.contains("eof") || text.contains("no bytes") || text.contains("broken pipe"))) {
            return "reset";
        }
        return "other";
    }

    /** Stops on "stop": queued tickets are dropped, requests in flight cancelled. */
    private void stop() {
        stopped = true;
        if (executor != null) {
            executor.shutdownNow(); // interrupts blocked sends, drops queued tickets
        }
        for (CompletableFuture<?> future : inFlight.values()) {
            future.cancel(true);
        }
    }

    /** Waits for every request taken to be reported (or dropped). */
    private void finish() throws InterruptedException {
        if (executor != null) {
            executor.shutdown();
            executor.awaitTermination(1, TimeUnit.DAYS);
        } else {
            while (!inFlight.isEmpty()) {
                CompletableFuture<?> any = inFlight.values().stream().findFirst().orElse(null);
                if (any != null) {
                    try {
                        any.handle((r, e) -> null).join();
                    } catch (CancellationException ignored) {
                        // reported by its own whenComplete
                    }
                }
                Thread.sleep(0, 100_000); // whenComplete may still be reporting
            }
        }
    }

    /** Self-paced mode: the client numbers its own requests and keeps C in flight. */
    private Thread selfPaced(long limit) {
        Thread pacer = new Thread(() -> {
            try {
                for (long index = 0; limit < 0 || index < limit; index++) {
                    slots.acquire();
                    if (stopped) {
                        return;
                    }
                    submit(index);
                }
            } catch (InterruptedException e) {
                // "end" or "stop"
            }
        }, "waitbench-pacer");
        pacer.start();
        return pacer;
    }

    public static void main(String[] args) throws Exception {
        boolean bare = args.length == 2 && args[1].equals("--bare");
        if ((args.length != 1 && !bare) || !List.of(PATTERNS).contains(args[0])) {
            System.err.println("usage: Client " + String.join("|", PATTERNS)
                    + " [--bare] (speaks waitbench's client protocol on stdin/stdout)");
            System.exit(2);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String first = in.readLine();
        if (first == null) {
            System.exit(1);
        }
        Client client;
        try {
            if (!first.startsWith("job ")) {
                throw new Failure("expected a job line first, got " + first);
            }
            Map<String, Object> job = map(new Json(first.substring(4)).value());
            Object protocol = job.get("protocol");
            if (!(protocol instanceof Number) || ((Number) protocol).intValue() != 1) {
                throw new Failure("unsupported protocol " + protocol);
            }
            if (bare) {
                job.put("self_paced", Boolean.TRUE);
            }
            client = new Client(args[0], job);
        } catch (Failure | RuntimeException e) {
            System.out.println("fail " + String.valueOf(e.getMessage()).replace('\n', ' '));
            System.out.flush();
            System.exit(1);
            return;
        }
        if (bare) {
            client.bareLoop();
            System.exit(0);
        }
        Thread flusher = new Thread(client::flusher, "waitbench-flusher");
        flusher.setDaemon(true);
        flusher.start();
        client.say(client.ready());
        Thread pacer = null;
        String line;
        String last = "end";
        while ((line = in.readLine()) != null) {
            int space = line.indexOf(' ');
            String word = space < 0 ? line : line.substring(0, space);
            String rest = space < 0 ? "" : line.substring(space + 1);
            if (word.equals("t")) {
                client.submit(Long.parseLong(rest));
            } else if (word.equals("clock")) {
                client.say("clock " + rest + " " + System.nanoTime());
            } else if (word.equals("go")) {
                if (client.slots != null) {
                    Map<String, Object> load = map(client.job.get("load"));
                    long limit = "batch".equals(load.get("kind")) ? ((Number) load.get("requests")).longValue() : -1;
                    pacer = client.selfPaced(limit);
                    if (limit >= 0) {
                        // A self-paced batch ends by itself once its requests are reported.
                        Thread paced = pacer;
                        new Thread(() -> {
                            try {
                                paced.join();
                                client.finish();
                                client.done();
                            } catch (InterruptedException ignored) {
                                // the main thread finishes instead
                            }
                        }, "waitbench-batch-end").start();
                    }
                }
            } else if (word.equals("end") || word.equals("stop")) {
                last = word;
                break;
            } else {
                client.say("fail unknown message " + line);
                System.exit(1);
            }
        }
        if (last.equals("stop")) {
            client.stop();
        }
        if (pacer != null) {
            pacer.interrupt();
            pacer.join();
        }
        client.finish();
        client.done();
        while (in.readLine() != null) {
            // stay alive until waitbench closes stdin
        }
        System.exit(0);
    }

    /**
     * The baseline of the recording's cost: the job's batch sent by the same pattern with C
     * in flight and nothing reported, no tickets read and no lines written. It prints
     * "bare REQUESTS SECONDS CPU_NS", the process's CPU time over the loop.
     */
    private void bareLoop() throws InterruptedException {
        bare = true;
        long requests = ((Number) map(job.get("load")).get("requests")).longValue();
        long cpu0 = cpuNanos();
        long start = System.nanoTime();
        for (long index = 0; index < requests; index++) {
            slots.acquire();
            submit(index);
        }
        finish();
        long elapsed = System.nanoTime() - start;
        say(String.format("bare %d %.6f %d", requests, elapsed / 1e9, cpuNanos() - cpu0));
    }

    private static long cpuNanos() {
        return ProcessHandle.current().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    private boolean doneWritten;

    private synchronized void done() {
        if (!doneWritten) {
            doneWritten = true;
            say("done");
        }
    }

    private static String quote(String text) {
        StringBuilder b = new StringBuilder("\"");
        for (char ch : text.toCharArray()) {
            if (ch == '"' || ch == '\\') {
                b.append('\\').append(ch);
            } else if (ch < 0x20) {
                b.append(String.format("\\u%04x", (int) ch));
            } else {
                b.append(ch);
            }
        }
        return b.append('"').toString();
    }

    /** A JSON reader for the job line: objects, arrays, strings, numbers, true, false, null. */
    private static final class Json {
        private final String text;
        private int at;

        Json(String text) {
            this.text = text;
        }

        Object value() {
            skip();
            if (at >= text.length()) {
                throw new IllegalArgumentException("the job line ends early");
            }
            char c = text.charAt(at);
            if (c == '{') {
                Map<String, Object> object = new LinkedHashMap<>();
                at++;
                skip();
                if (peek('}')) {
                    return object;
                }
                do {
                    skip();
                    String key = string();
                    skip();
                    expect(':');
                    object.put(key, value());
                    skip();
                } while (peek(','));
                expect('}');
                return object;
            }
            if (c == '[') {
                List<Object> array = new ArrayList<>();
                at++;
                skip();
                if (peek(']')) {
                    return array;
                }
                do {
                    array.add(value());
                    skip();
                } while (peek(','));
                expect(']');
                return array;
            }
            if (c == '"') {
                return string();
            }
            for (String word : new String[] {"true", "false", "null"}) {
                if (text.startsWith(word, at)) {
                    at += word.length();
                    return word.equals("null") ? null : Boolean.valueOf(word);
                }
            }
            int from = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) {
                at++;
            }
            String number = text.substring(from, at);
            if (number.isEmpty()) {
                throw new IllegalArgumentException("the job line is not JSON at character " + from);
            }
            return number.matches("-?\\d+") ? (Object) Long.valueOf(number) : (Object) Double.valueOf(number);
        }

        private String string() {
            expect('"');
            StringBuilder b = new StringBuilder();
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') {
                    return b.toString();
                }
                if (c != '\\') {
                    b.append(c);
                    continue;
                }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n': b.append('\n'); break;
                    case 't': b.append('\t'); break;
                    case 'r': b.append('\r'); break;
                    case 'b': b.append('\b'); break;
                    case 'f': b.append('\f'); break;
                    case 'u': b.append((char) Integer.parseInt(text.substring(at, at + 4), 16)); at += 4; break;
                    default: b.append(e);
                }
            }
        }

        private void skip() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }

        private boolean peek(char c) {
            if (at < text.length() && text.charAt(at) == c) {
                at++;
                return true;
            }
            return false;
        }

        private void expect(char c) {
            if (!peek(c)) {
                throw new IllegalArgumentException("the job line is not JSON: expected '" + c + "' at character " + at);
            }
        }
    }
}
