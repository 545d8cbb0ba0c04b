// A bounded pool of threads for handlers that block or burn CPU, so that no CAF scheduler
// thread ever does. Tasks queue FIFO.
//
// A handler may hang and ignore every request to stop. Its supervisor gives up on it (timeout,
// cancel past its grace, stop) and writes off its ticket: the thread is detached, no longer
// counted, and replaced, so the other jobs keep their threads. At most `max_written_off` threads
// are written off at once; past that a hung handler keeps its thread (jobs wait, and it is
// logged) until a written-off thread comes back: that thread ends, and the oldest hung handler
// held back is written off in its place. The pool's destructor never joins a thread inside a
// handler.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <unordered_map>
#include <unordered_set>

namespace meshjobs {

class worker_pool {
 public:
  using ticket = std::uint64_t;
  /// Every pool thread's name (ps, gdb, and tests that check where code runs).
  static constexpr const char* thread_name = "meshjobs-pool";

  /// What a task reaches the rest of the node through. A thread may come back from a hung
  /// handler long after the node stopped: `deliver` runs `fn` only while the pool is open, so a
  /// late result never touches an actor system that is gone.
  class lifeline {
   public:
    bool deliver(const std::function<void()>& fn) const;

   private:
    friend class worker_pool;
    struct state;
    explicit lifeline(std::shared_ptr<state> s) : state_(std::move(s)) {}
    std::shared_ptr<state> state_;
  };
  using task = std::function<void(const lifeline&)>;

  struct figures {
    std::size_t threads = 0;      ///< counted in the pool (idle, busy, or hung past the bound)
    std::size_t written_off = 0;  ///< detached, still inside a handler
  };

  worker_pool(std::size_t threads, std::size_t max_written_off);
  /// Drops what is queued, joins the idle threads and leaves every thread that is inside a
  /// handler behind (logged): a hung handler never delays a stop.
  ~worker_pool();
  worker_pool(const worker_pool&) = delete;
  worker_pool& operator=(const worker_pool&) = delete;

  /// A ticket for a task not yet posted, unique in this pool (supervisors name runs by it).
  ticket new_ticket() { return next_ticket_.fetch_add(1, std::memory_order_relaxed); }
  void post(ticket t, task fn);
  /// The task of `t` is given up on. If a thread is running it, that thread is written off and
  /// replaced (within the bound). A queued task is not touched: it sees its own cancel flag
  /// when a thread takes it, and does not start.
  void write_off(ticket t);
  figures stats() const;

 private:
  struct queued {
    ticket id;
    task fn;
  };
  struct shared;

  static void work(std::shared_ptr<shared> s, std::size_t me);
  // Both with the pool's mutex held.
  static void spawn(const std::shared_ptr<shared>& s);
  static void write_off_locked(const std::shared_ptr<shared>& s, ticket t);

  std::shared_ptr<shared> shared_;
  std::atomic<ticket> next_ticket_{1};
};

}  // namespace meshjobs
