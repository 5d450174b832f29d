// The worker loop.  One pass:
//   1. reap a batch of completions from the transport (waiting at most until
//      the next timer: deadline, pacing refill, or the poll slice);
//   2. read the clock once; every handler of this pass uses that time;
//   3. run each completion's flow handler (handlers only stage ops);
//   4. check the deadlines and the stop flag (soft: flows wind down cleanly;
//      hard: whatever is still open is abandoned);
//   5. wake paced flows whose refill time has come;
//   6. stage and commit everything the handlers produced: one stage() and
//      one commit() call for the whole pass.
// Nothing here allocates, locks or makes a system call other than through
// the transport (and the clock, which is vDSO).
#include <cerrno>
#include <csignal>
#include <cstring>
#include <ctime>
#include <mutex>
#include <optional>
#include <string>

#include <pthread.h>
#include <sys/prctl.h>
#include <sched.h>
#include <unistd.h>

#include "engine_internal.h"

namespace netperf {

uint64_t now_ns() {
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

uint64_t wall_ns() {
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return uint64_t(ts.tv_sec) * 1000000000ull + uint64_t(ts.tv_nsec);
}

namespace engine {

namespace {

void sleep_until(uint64_t t) {
    timespec ts{time_t(t / 1000000000ull), long(t % 1000000000ull)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    }
}

// Waits for the start instant: sleep until shortly before, then spin, so
// every worker (and every process synchronised to the same instant) starts
// within microseconds of it.
void wait_for_start(uint64_t start) {
    // A 1 ns timer slack makes the kernel wake us at the instant, not up to
    // 50 us later; the last 20 us are spun to absorb the wake-up latency.
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    const uint64_t spin = 20000;
    uint64_t t = now_ns();
    if (t + spin < start) sleep_until(start - spin);
    while (now_ns() < start) {
    }
}

// ---- the slice signal (NP_CTX_TICK) ----

int tick_signal() { return SIGRTMIN + 4; }

void on_tick(int) {}

// Installs the tick's handler once per process.  No SA_RESTART: the point is
// that a blocking system call returns.
bool install_tick_handler() {
    static std::once_flag once;
    static bool ok = false;
    std::call_once(once, [] {
        struct sigaction sa {};
        sa.sa_handler = on_tick;
        sigemptyset(&sa.sa_mask);
        ok = sigaction(tick_signal(), &sa, nullptr) == 0;
    });
    return ok;
}

// A timer that sends the calling thread the tick every slice; ok() is false
// when the kernel refused it (errno kept in err).
class SliceTick {
  public:
    explicit SliceTick(int64_t slice_ns) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, tick_signal());
        pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
        sigevent sev{};
        sev.sigev_notify = SIGEV_THREAD_ID;
        sev.sigev_signo = tick_signal();
        sev._sigev_un._tid = gettid();
        if (timer_create(CLOCK_MONOTONIC, &sev, &id_) != 0) {
            err = errno;
            return;
        }
        created_ = true;
        timespec iv{time_t(slice_ns / 1000000000), long(slice_ns % 1000000000)};
        itimerspec its{iv, iv};
        if (timer_settime(id_, 0, &its, nullptr) != 0) err = errno;
    }
    ~SliceTick() {
        if (created_) timer_delete(id_);
    }
    SliceTick(const SliceTick &) = delete;
    SliceTick &operator=(const SliceTick &) = delete;
    bool ok() const { return created_ && err == 0; }
    int err = 0;

  private:
    timer_t id_{};
    bool created_ = false;
};

}  // namespace

bool slice_tick_available() {
    static std::once_flag once;
    static bool ok = false;
    std::call_once(once, [] { ok = install_tick_handler() && SliceTick(1000000000).ok(); });
    return ok;
}

void Worker::flush() {
    if (n_staged) {
        uint32_t k = ops->stage(ctx, staged.data(), n_staged);
        inflight += k;
        if (k < n_staged) memmove(staged.data(), staged.data() + k, (n_staged - k) * sizeof(np_op));
        n_staged -= k;
    }
    ops->commit(ctx);
}

void Worker::flow_done(Flow &f) {
    if (f.done) return;
    f.done = true;
    f.end_ns = now;
    active--;
}

bool Worker::pace_ok(Flow &f) {
    if (cfg->pace_burst <= 0 || cfg->pace_interval_us <= 0) return true;
    if (f.tokens > 0) {
        f.tokens--;
        return true;
    }
    if (now >= f.next_refill) {
        uint64_t iv = uint64_t(cfg->pace_interval_us) * 1000;
        // Catch up at most one interval: a stalled flow does not earn a burst
        // for every interval it missed.
        f.next_refill = f.next_refill + iv > now ? f.next_refill + iv : now + iv;
        f.tokens = cfg->pace_burst - 1;
        return true;
    }
    if (!f.paced) {
        f.paced = true;
        paced.push_back(&f);  // capacity reserved for every flow: no allocation
    }
    return false;
}

// A flow idle for `idle` ns ends, dated at its last completion; a timed
// flow that never completed anything counts from the soft deadline, a
// counted one waits for its first completion.  Checked once per pass, so
// the end is noticed within a poll slice.
void Worker::end_idle_flows(uint64_t idle) {
    for (Flow *f : flows) {
        if (f->done) continue;
        uint64_t since = f->last_io ? f->last_io : soft_deadline;
        if (!since || now < since + idle) continue;
        take_info(*this, *f, true);
        flow_done(*f);
        if (f->last_io) f->end_ns = f->last_io;
    }
}

void Worker::run() {
    if (cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(cpu, &set);
        pthread_setaffinity_np(pthread_self(), sizeof set, &set);
    }
    const Pattern &pat = pattern_for(cfg->action);
    const int64_t slice = int64_t(cfg->poll_slice_us) * 1000;
    std::optional<SliceTick> ticker;
    if (tick) {
        // A zero interval would disarm the timer: 100 ms, as the sockets
        // transport's own default slice.
        ticker.emplace(slice > 0 ? slice : 100000000);
        if (!ticker->ok()) {
            // The transport was told not to bound its own waits: no test.
            for (Flow *f : flows) {
                f->error = std::string("cannot start the slice timer: ") + strerror(ticker->err);
                flow_done(*f);
            }
            return;
        }
    }
    wait_for_start(start_ns);
    now = now_ns();
    for (Flow *f : flows) {
        f->start_ns = now;
        f->next_refill = now;
        pat.start(*this, *f);
    }
    flush();
    const uint64_t idle_end = uint64_t(cfg->idle_end_s * 1e9);
    while (active) {
        // The nearest timer bounds how long reap may wait.
        uint64_t wake = now + uint64_t(slice);
        if (!soft_passed && soft_deadline && soft_deadline < wake) wake = soft_deadline;
        if (hard_deadline && hard_deadline < wake) wake = hard_deadline;
        for (Flow *f : paced)
            if (f->paced && f->next_refill < wake) wake = f->next_refill;
        uint32_t n = 0;
        if (inflight) {
            int64_t timeout = wake > now ? int64_t(wake - now) : 0;
            n = ops->reap(ctx, comps.data(), uint32_t(comps.size()), timeout);
        } else if (wake > now) {
            sleep_until(wake);  // every flow is paced or waiting for a timer
        }
        now = now_ns();
        for (uint32_t i = 0; i < n; i++) {
            const np_completion &c = comps[i];
            if (!(c.flags & NP_CF_MORE)) inflight--;  // a multishot op stays in flight
            Flow &f = *all[c.user >> 8];
            if (f.done) continue;
            f.last_io = now;
            if (Tag(c.user & 0xff) == kClose) f.closing = false;
            f.handler(*this, f, Tag(c.user & 0xff), c);
        }
        int s = stop->load(std::memory_order_relaxed);
        if (!soft_passed && ((soft_deadline && now >= soft_deadline) || s >= 1)) {
            soft_passed = true;
            // Idle-ended flows keep going past the deadline unless asked to stop.
            for (Flow *f : flows)
                if (!f->done && (idle_end == 0 || s >= 1)) pat.on_deadline(*this, *f);
        }
        if (idle_end && (soft_passed || !soft_deadline)) end_idle_flows(idle_end);
        if (s >= 2 || (hard_deadline && now >= hard_deadline)) {
            // Abandon what is still open; the run closes the endpoints.
            for (Flow *f : flows) {
                if (f->done) continue;
                take_info(*this, *f, true);
                if (f->result) f->result->timed_out = true;
                flow_done(*f);
            }
            break;
        }
        if (!paced.empty()) {
            size_t keep = 0, n_paced = paced.size();
            for (size_t i = 0; i < n_paced; i++) {
                Flow *f = paced[i];
                if (!f->paced || f->done) continue;
                if (now >= f->next_refill) {
                    f->paced = false;
                    pat.resume(*this, *f);
                    continue;
                }
                paced[keep++] = f;
            }
            // Flows re-parked by resume() were appended after n_paced.
            for (size_t i = n_paced; i < paced.size(); i++) paced[keep++] = paced[i];
            paced.resize(keep);
        }
        flush();
        if (inflight == 0 && n_staged == 0 && paced.empty() && active) {
            // Nothing can make progress: a handler left a flow without work.
            for (Flow *f : flows) {
                if (f->done) continue;
                if (f->error.empty()) f->error = "flow stalled with no operation in flight";
                flow_done(*f);
            }
        }
    }
    end_ns = now;
    np_transport_stats st{};
    st.struct_size = sizeof st;
    if (ops->stats && ops->stats(ctx, &st) == 0) syscalls = st.syscalls;
}

}  // namespace engine
}  // namespace netperf
