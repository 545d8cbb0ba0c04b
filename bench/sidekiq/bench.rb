# frozen_string_literal: true
#
# Sidekiq side of bench/compare-sidekiq: the same no-op workload meshjobs' bench/throughput
# and bench/latency run, on Debian's Sidekiq 6.4.1 + redis-rb 4.8, driven in-process the way
# the gem's own bin/sidekiqload drives a Sidekiq::Launcher.
#
#   ruby bench.rb throughput --port P --concurrency C --jobs N --runs R [--label TEXT]
#   ruby bench.rb latency    --port P --concurrency C --jobs L --gap-ms G [--label TEXT]
#   ruby bench.rb jitter     --jobs L --gap-ms G
#     (a control: how late a thread that sleeps G ms wakes up on this machine, L times; no Redis)
#
# Each prints a table, then a last line in the format of the meshjobs benchmarks:
#   RESULT jobs_per_s=<median> peak_rss_mb=<x>
#   RESULT p50_ms=<x> p99_ms=<y> p999_ms=<z>
# Internal modes (spawned by the two above): throughput-run, latency-client.
#
# Fairness to Sidekiq (see bench/sidekiq/README.md):
# - job logging at WARN;
# - redis-rb 4.8 deprecation warnings silenced (Redis.silence_deprecations = true), and the
#   fetch passes BRPOP's timeout as a keyword, as redis-rb 4.8 asks, so the per-fetch
#   deprecation message (which calls Kernel#caller even when silenced) is never built;
# - every measured run happens in a fresh process; the client of the latency run is a
#   separate process, as a web process enqueuing to Sidekiq would be.

require "optparse"

SIDEKIQ_BENCH_DIR = __dir__

def now_mono
  Process.clock_gettime(Process::CLOCK_MONOTONIC)
end

def now_wall_us
  Process.clock_gettime(Process::CLOCK_REALTIME, :float_microsecond)
end

def peak_rss_mb
  line = File.foreach("/proc/self/status").find { |l| l.start_with?("VmHWM:") }
  line ? line.split[1].to_f / 1024.0 : 0.0
rescue SystemCallError
  0.0
end

def median(values)
  s = values.sort
  n = s.size
  n.odd? ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2.0
end

# Nearest-rank percentile of an ascending array.
def percentile(sorted, p)
  return 0.0 if sorted.empty?
  rank = (p * sorted.size).ceil
  sorted[[[rank, 1].max, sorted.size].min - 1]
end

def die(msg)
  warn "sidekiq bench: #{msg}"
  exit 1
end

# Prints rows (arrays of strings) as an aligned table with a header and a rule.
def print_table(title, header, rows)
  widths = header.each_index.map { |i| ([header[i]] + rows.map { |r| r[i] }).map(&:length).max }
  fmt = ->(cells) { cells.each_with_index.map { |c, i| i.zero? ? c.ljust(widths[i]) : c.rjust(widths[i]) }.join("  ") }
  puts title
  puts fmt.call(header)
  puts widths.map { |w| "-" * w }.join("  ")
  rows.each { |r| puts fmt.call(r) }
  $stdout.flush
end

def argv_mode_without_port?
  $mode == "jitter"
end

def parse_options(argv)
  opts = {port: nil, concurrency: 10, jobs: 100_000, runs: 3, gap_ms: 2.0, label: "",
          warmup: nil, timeout_s: 600.0, kw_fetch: ENV.fetch("SIDEKIQ_KW_FETCH", "1") != "0"}
  OptionParser.new do |o|
    o.on("--port N", Integer) { |v| opts[:port] = v }
    o.on("--concurrency N", Integer) { |v| opts[:concurrency] = v }
    o.on("--jobs N", Integer) { |v| opts[:jobs] = v }
    o.on("--runs N", Integer) { |v| opts[:runs] = v }
    o.on("--gap-ms G", Float) { |v| opts[:gap_ms] = v }
    o.on("--warmup N", Integer) { |v| opts[:warmup] = v }
    o.on("--timeout-s S", Float) { |v| opts[:timeout_s] = v }
    o.on("--label TEXT", String) { |v| opts[:label] = v }
  end.parse!(argv)
  die("--port is required") unless opts[:port] || argv_mode_without_port?
  die("--concurrency must be >= 1") if opts[:concurrency] < 1
  die("--jobs must be >= 1") if opts[:jobs] < 1
  die("--runs must be >= 1") if opts[:runs] < 1
  die("--gap-ms must be >= 0") if opts[:gap_ms].negative?
  opts
end

# ---------------------------------------------------------------------------------------------
# Sidekiq set-up shared by the worker and the client processes.

def setup_sidekiq(opts, server:)
  require "logger"
  require "redis"
  # Debian pairs Sidekiq 6.4.1 with redis-rb 4.8.0, which deprecates calls Sidekiq 6.4.1 makes:
  # BRPOP with a positional timeout (every fetch), SADD/SREM's boolean return (every push and
  # heartbeat). Each one is a Kernel#warn to stderr. Silence them, and count how many are still
  # attempted so the table can show the fetch path no longer makes any.
  Redis.silence_deprecations = true
  counter = Module.new do
    def deprecate!(message)
      $deprecations_attempted += 1
      super
    end
  end
  $deprecations_attempted = 0
  Redis.singleton_class.prepend(counter)

  require "sidekiq"
  if server
    require "sidekiq/cli" # makes Sidekiq.server? true: the pool is sized concurrency + 5
    require "sidekiq/launcher"
  end
  # Job logging at WARN: set before the first connection so not even the boot line is logged.
  Sidekiq.logger.level = Logger::WARN
  # Concurrency first: `config.redis =` creates the connection pool at once, sized from the
  # concurrency of that moment (concurrency + 5 on a server).
  Sidekiq.options[:concurrency] = opts[:concurrency] if server
  redis = {host: "127.0.0.1", port: opts[:port]}
  Sidekiq.configure_server { |c| c.redis = redis }
  Sidekiq.configure_client { |c| c.redis = redis }
  return unless server

  pool = Sidekiq.redis_pool.size
  die("redis pool of #{pool} for concurrency #{opts[:concurrency]}") if pool < opts[:concurrency] + 2
  Sidekiq.options[:queues] = ["default"]
  Sidekiq.options[:timeout] = 5 # shutdown grace, after the measurement
  if opts[:kw_fetch]
    require_relative "keyword_fetch"
    Sidekiq.options[:fetch] = KeywordTimeoutFetch.new(Sidekiq.options)
  end
end

# ---------------------------------------------------------------------------------------------
# Throughput.

class NoopJob
  COUNT_LOCK = Mutex.new
  COUNT_DONE = ConditionVariable.new
  @completed = 0
  @target = 0
  @finished_at = nil

  class << self
    attr_reader :completed, :finished_at

    def arm(target)
      COUNT_LOCK.synchronize do
        @completed = 0
        @target = target
        @finished_at = nil
      end
    end

    def one_done
      COUNT_LOCK.synchronize do
        @completed += 1
        if @completed == @target
          @finished_at = Process.clock_gettime(Process::CLOCK_MONOTONIC)
          COUNT_DONE.broadcast
        end
      end
    end

    # Waits until the target count is reached or the deadline (monotonic) passes.
    def wait_all(deadline)
      COUNT_LOCK.synchronize do
        while @finished_at.nil?
          left = deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)
          break if left <= 0
          COUNT_DONE.wait(COUNT_LOCK, [left, 0.5].min)
        end
        @finished_at
      end
    end
  end

  def perform(_idx)
    NoopJob.one_done
  end
end

# CPU seconds redis-server has used so far (user + sys, from INFO cpu), asked on a connection
# of its own so the workers' pool is left alone.
def redis_cpu_s(conn)
  info = conn.info("cpu")
  info["used_cpu_user"].to_f + info["used_cpu_sys"].to_f
end

# One measured run, in its own process: push N jobs, start the launcher, time the N-th finish.
def throughput_run(opts)
  setup_sidekiq(opts, server: true)
  NoopJob.include(Sidekiq::Worker)
  n = opts[:jobs]
  Sidekiq.redis { |c| c.flushdb }
  pushed = 0
  while pushed < n
    batch = [1000, n - pushed].min
    Sidekiq::Client.push_bulk("class" => NoopJob, "queue" => "default",
                              "args" => Array.new(batch) { |i| [pushed + i] })
    pushed += batch
  end
  queued = Sidekiq.redis { |c| c.llen("queue:default") }
  die("expected #{n} jobs in queue:default, found #{queued}") unless queued == n

  NoopJob.arm(n)
  deprecations_before = $deprecations_attempted
  probe = Redis.new(host: "127.0.0.1", port: opts[:port])
  redis_cpu_before = redis_cpu_s(probe)
  launcher = Sidekiq::Launcher.new(Sidekiq.options)
  cpu_before = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID)
  started = now_mono
  launcher.run
  finished = NoopJob.wait_all(started + opts[:timeout_s])
  cpu = Process.clock_gettime(Process::CLOCK_PROCESS_CPUTIME_ID) - cpu_before
  redis_cpu = redis_cpu_s(probe) - redis_cpu_before
  deprecations = $deprecations_attempted - deprecations_before
  unless finished
    warn "sidekiq bench: only #{NoopJob.completed} of #{n} jobs done after #{opts[:timeout_s]} s"
    exit!(1)
  end
  secs = finished - started
  puts format("RUN jobs=%d secs=%.6f jobs_per_s=%.1f rss_mb=%.1f deprecations=%d cpu_us=%.1f redis_cpu_us=%.1f",
              n, secs, n / secs, peak_rss_mb, deprecations, cpu * 1e6 / n, redis_cpu * 1e6 / n)
  $stdout.flush
  launcher.stop
  exit!(0) # the heartbeat thread never ends by itself
end

def throughput(opts)
  results = []
  opts[:runs].times do |i|
    args = [RbConfig.ruby, File.join(SIDEKIQ_BENCH_DIR, "bench.rb"), "throughput-run",
            "--port", opts[:port].to_s, "--concurrency", opts[:concurrency].to_s,
            "--jobs", opts[:jobs].to_s, "--timeout-s", opts[:timeout_s].to_s]
    out = IO.popen(args, &:read)
    die("run #{i + 1} failed (exit #{$?.exitstatus})") unless $?.success?
    line = out.lines.map(&:strip).find { |l| l.start_with?("RUN ") }
    die("run #{i + 1} printed no RUN line: #{out.inspect}") unless line
    results << line.split[1..].to_h { |kv| k, v = kv.split("=", 2); [k.to_sym, v.to_f] }
  end

  rows = results.each_with_index.map do |r, i|
    [(i + 1).to_s, r[:jobs].to_i.to_s, format("%.3f", r[:secs]), format("%.0f", r[:jobs_per_s]),
     format("%.1f", r[:cpu_us]), format("%.1f", r[:redis_cpu_us]), format("%.1f", r[:rss_mb]),
     r[:deprecations].to_i.to_s]
  end
  med = median(results.map { |r| r[:jobs_per_s] })
  rss = results.map { |r| r[:rss_mb] }.max
  rows << ["median", "", "", format("%.0f", med), format("%.1f", median(results.map { |r| r[:cpu_us] })),
           format("%.1f", median(results.map { |r| r[:redis_cpu_us] })), format("%.1f", rss), ""]
  title = "Sidekiq #{Sidekiq::VERSION} throughput, #{opts[:label]}, concurrency " \
          "#{opts[:concurrency]}, #{opts[:jobs]} no-op jobs pushed (push_bulk x1000), timed from " \
          "launcher start to the last job's end"
  print_table(title, %w[run jobs seconds jobs/s sidekiq_cpu_us/job redis_cpu_us/job peak_rss_mb redis_deprecations], rows)
  puts format("RESULT jobs_per_s=%.1f peak_rss_mb=%.1f", med, rss)
end

# ---------------------------------------------------------------------------------------------
# Latency.

class LatencyJob
  LOCK = Mutex.new
  DONE = ConditionVariable.new
  @samples_us = []
  @warmups = 0

  class << self
    attr_reader :samples_us, :warmups

    def record(lat_us, warmup)
      LOCK.synchronize do
        warmup ? @warmups += 1 : @samples_us << lat_us
        DONE.broadcast
      end
    end

    def wait_for(count, deadline)
      LOCK.synchronize do
        while @samples_us.size + @warmups < count
          left = deadline - Process.clock_gettime(Process::CLOCK_MONOTONIC)
          break if left <= 0
          DONE.wait(LOCK, [left, 0.5].min)
        end
        @samples_us.size + @warmups >= count
      end
    end
  end

  def perform(enqueued_at_us, warmup)
    started_us = Process.clock_gettime(Process::CLOCK_REALTIME, :float_microsecond)
    LatencyJob.record(started_us - enqueued_at_us, warmup)
  end
end

# The enqueuing side of the latency run, in a process of its own: one job at a time, gap apart.
def latency_client(opts)
  setup_sidekiq(opts, server: false)
  gap = opts[:gap_ms] / 1000.0
  total = opts[:warmup] + opts[:jobs]
  start = now_mono
  total.times do |i|
    due = start + i * gap
    pause = due - now_mono
    sleep(pause) if pause > 0
    Sidekiq::Client.push("class" => "LatencyJob", "queue" => "default",
                         "args" => [now_wall_us, i < opts[:warmup]])
  end
  exit!(0)
end

def latency(opts)
  setup_sidekiq(opts, server: true)
  LatencyJob.include(Sidekiq::Worker)
  opts[:warmup] ||= [20, opts[:jobs] / 10].min
  Sidekiq.redis { |c| c.flushdb }
  launcher = Sidekiq::Launcher.new(Sidekiq.options)
  launcher.run
  sleep 1.0 # idle: every processor is parked in BRPOP, the first heartbeat is done

  total = opts[:warmup] + opts[:jobs]
  client = Process.spawn(RbConfig.ruby, File.join(SIDEKIQ_BENCH_DIR, "bench.rb"), "latency-client",
                         "--port", opts[:port].to_s, "--jobs", opts[:jobs].to_s,
                         "--warmup", opts[:warmup].to_s, "--gap-ms", opts[:gap_ms].to_s)
  budget = 30.0 + total * (opts[:gap_ms] / 1000.0) * 3
  ok = LatencyJob.wait_for(total, now_mono + [budget, opts[:timeout_s]].min)
  _, status = Process.wait2(client)
  die("latency client failed (#{status})") unless status.success?
  unless ok
    warn "sidekiq bench: only #{LatencyJob.samples_us.size + LatencyJob.warmups} of #{total} latency jobs ran in time"
    exit!(1)
  end
  launcher.stop

  s = LatencyJob.samples_us.sort.map { |us| us / 1000.0 }
  mean = s.sum / s.size
  fmtms = ->(v) { format("%.3f", v) }
  rows = [[opts[:jobs].to_s, fmtms.call(s.first), fmtms.call(percentile(s, 0.50)), fmtms.call(percentile(s, 0.90)),
           fmtms.call(percentile(s, 0.99)), fmtms.call(percentile(s, 0.999)), fmtms.call(s.last), fmtms.call(mean)]]
  title = "Sidekiq #{Sidekiq::VERSION} enqueue->start latency (ms), #{opts[:label]}, idle, concurrency " \
          "#{opts[:concurrency]}, jobs pushed one at a time #{opts[:gap_ms]} ms apart from a separate " \
          "client process (#{opts[:warmup]} warm-up jobs not counted)"
  print_table(title, %w[jobs min p50 p90 p99 p999 max mean], rows)
  puts format("RESULT p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f",
              percentile(s, 0.50), percentile(s, 0.99), percentile(s, 0.999))
  $stdout.flush
  exit!(0)
end

# ---------------------------------------------------------------------------------------------
# Control: the machine's own wake-up delay, which bounds what any latency figure can show.

def jitter(opts)
  gap = opts[:gap_ms] / 1000.0
  late = Array.new(opts[:jobs]) do
    t = now_mono
    sleep gap
    (now_mono - t - gap) * 1000.0
  end
  s = late.sort
  fmtms = ->(v) { format("%.3f", v) }
  print_table("Control: oversleep (ms) of one Ruby thread sleeping #{opts[:gap_ms]} ms, #{opts[:jobs]} times",
              %w[samples p50 p99 p999 max],
              [[s.size.to_s, fmtms.call(percentile(s, 0.5)), fmtms.call(percentile(s, 0.99)),
                fmtms.call(percentile(s, 0.999)), fmtms.call(s.last)]])
  puts format("RESULT p50_ms=%.3f p99_ms=%.3f p999_ms=%.3f",
              percentile(s, 0.5), percentile(s, 0.99), percentile(s, 0.999))
end

# ---------------------------------------------------------------------------------------------

mode = $mode = ARGV.shift
opts = parse_options(ARGV)
case mode
when "throughput"
  require "sidekiq/version"
  throughput(opts)
when "throughput-run" then throughput_run(opts)
when "latency" then latency(opts)
when "jitter" then jitter(opts)
when "latency-client"
  die("latency-client needs --warmup") unless opts[:warmup]
  latency_client(opts)
else
  die("unknown mode #{mode.inspect} (throughput | latency)")
end
