// mesh.batch_generation (the seed's Mesh::BatchGenerationJob): many images, one child
// mesh.generation each, at most batch.concurrency (BATCH_CONCURRENCY) at once. An asynchronous
// job: it holds no thread while its children run.
//
//   setup (io pool): the batch record, a mesh and a row per image, in one transaction; after a
//                    crash the record is there and the batch picks up where it was
//   launch:          the next unfinished images, a page at a time from the store; each child is
//                    unique on "batch:<id>:<index>" until it ends, so launching an image whose
//                    child still runs (a resume) finds that child instead of starting another
//   await:           each child's end refills the window; its image's row and the batch's
//                    counts moved in the child's own outcome commit (batch_children.cpp)
//   progress:        batch_progress_<id>, read from the record at most every 200 ms, and once
//                    more at 100 % when the last child has ended
//   cancel:          a signal {"cancel": true} (batch_control::cancel sends it): nothing more
//                    starts, the images not started end as cancelled, the running children are
//                    cancelled, and the batch ends when they have
// Its outcome moves the record (completed, failed, cancelled) and enqueues exactly one
// notifications.batch_completion in the same commit.
#include <spdlog/spdlog.h>

#include <algorithm>
#include <deque>
#include <optional>
#include <random>
#include <set>
#include <unordered_set>
#include <utility>

#include "mesh/batch_generation.hpp"
#include "mesh/batch_record.hpp"
#include "mesh/image_source.hpp"
#include "signature.hpp"
#include "pipeline_types.hpp"
#include "task_pool.hpp"

namespace meshjobs {
namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::int64_t page_size = 512;
constexpr std::size_t setup_chunk = 1000;  ///< images per setup transaction
constexpr auto progress_interval = std::chrono::milliseconds(200);
constexpr const char* setup_failure = "batch_setup";

/// A v4 UUID, the seed's SecureRandom.uuid.
std::string make_uuid() {
  static thread_local std::mt19937_64 bits{std::random_device{}()};
  const auto hi = bits(), lo = bits();
  char text[40];
  std::snprintf(text, sizeof text, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff), static_cast<unsigned>(hi & 0x0fff),
                static_cast<unsigned>(0x8000 | (lo >> 48 & 0x3fff)), static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return text;
}

/// The images of a folder, sorted; a job_failure naming the folder when it cannot be read.
std::vector<std::string> images_in_folder(const std::string& folder) {
  std::error_code ec;
  auto out = mesh::image_files_in(folder, ec);
  if (ec)
    throw job_failure(setup_failure, "args.folder " + folder + ": cannot be read (" + ec.message() + ")");
  return out;
}

class batch_run : public std::enable_shared_from_this<batch_run> {
 public:
  batch_run(std::shared_ptr<mesh_pipeline> p, async_context& ctx, batch_args args)
    : p_(std::move(p)), ctx_(ctx), args_(std::move(args)), post_(ctx.poster()),
      id_(static_cast<std::int64_t>(ctx.current().id)),
      concurrency_(static_cast<std::size_t>(p_->cfg().batch.concurrency)) {}

  void begin() {
    auto self = shared_from_this();
    ctx_.on_signal([self](const std::string& payload) { self->signalled(payload); });
    on_io([self] { return self->setup(); }, [self](batch::batch_record b) { self->started(std::move(b)); });
  }

 private:
  /// Runs `work` on the io pool and `then` with its result on the job's actor; a throw fails
  /// the job with its kind (a job_failure) or as a setup failure.
  template <class Work, class Then>
  void on_io(Work work, Then then) {
    auto self = shared_from_this();
    auto accepted = p_->io().post([self, work = std::move(work), then = std::move(then)]() mutable {
      try {
        auto result = work();
        self->post_([self, then = std::move(then), result = std::move(result)]() mutable { then(std::move(result)); });
      } catch (const job_failure& f) {
        self->post_([self, kind = f.kind(), message = f.message()] { self->ctx_.fail(kind, message); });
      } catch (const std::exception& e) {
        self->post_([self, message = std::string{e.what()}] { self->ctx_.fail(setup_failure, message); });
      }
    });
    if (!accepted)
      ctx_.fail(setup_failure, "the pipeline's io pool is full; the batch is retried");
  }

  /// On the io pool: the record as the store has it, made now when it is not there yet.
  batch::batch_record setup() {
    batch::batch_records records(p_->rt());
    auto found = records.find(id_);
    if (found && !found->batch_uuid.empty()) {
      // A resume (after a crash, or a dead batch retried by hand): its images are all there.
      if (found->status == batch::status::failed) {
        p_->rt().write_records({batch::writes::resumed(id_, p_->rt().clock().now())});
        found->status = batch::status::processing;
      }
      return *found;
    }
    auto images = args_.folder.empty() ? args_.images : images_in_folder(args_.folder);
    const auto now = p_->rt().clock().now();
    batch::batch_record b;
    b.id = id_;
    b.batch_uuid = make_uuid();
    b.project = args_.project;
    b.user = args_.user;
    b.parameters = args_.parameters;
    b.total = static_cast<std::int64_t>(images.size());
    b.created_at = b.updated_at = now;
    // The images go in chunks (bounded memory for any size) and the batch's row last: a setup
    // cut short by a crash left images without it, which go before it starts over.
    p_->rt().write_records(batch::writes::discard_partial(id_));
    std::vector<record_write> writes;
    for (std::size_t i = 0; i < images.size(); ++i) {
      if (writes.size() >= 2 * setup_chunk)
        p_->rt().write_records(std::exchange(writes, {}));
      auto mesh = p_->records().make({b.project, b.user, images[i], b.parameters});
      writes.push_back(mesh::writes::insert(mesh));
      batch::batch_image row;
      row.index = static_cast<std::int64_t>(i);
      row.image_url = images[i];
      row.mesh_id = mesh.id;
      writes.push_back(batch::writes::insert_image(id_, row));
    }
    writes.push_back(batch::writes::insert(b));  // over the row of a setup that failed, if any
    p_->rt().write_records(std::move(writes));
    return b;
  }

  void started(batch::batch_record b) {
    record_ = std::move(b);
    if (record_.status == batch::status::cancelled)
      cancelling_ = true;
    spdlog::info("batch {}: {} images, {} ended already, {} at once", id_, record_.total, record_.ended(), concurrency_);
    publish(record_);
    fill();
  }

  void signalled(const std::string& payload) {
    auto parsed = json::object::parse(payload, "signal");
    auto* o = std::get_if<json::object>(&parsed);
    if (!o || !o->get_bool("cancel").value_or(false)) {
      spdlog::warn("batch {}: signal ignored (only {{\"cancel\":true}} is understood): {}", id_, payload);
      return;
    }
    if (cancelling_)
      return;
    cancelling_ = true;
    spdlog::info("batch {}: cancelling ({} children running)", id_, running_.size());
    waiting_.clear();
    if (!running_.empty())
      cancel_children(running_ids());
    fill();
  }

  std::vector<job_id> running_ids() const {
    return {running_.begin(), running_.end()};
  }

  void cancel_children(std::vector<job_id> ids) {
    auto p = p_;
    if (!p_->io().post([p, ids = std::move(ids)] {
          for (auto id : ids)
            p->rt().cancel(id);
        }))
      spdlog::error("batch {}: io pool full: its running children were not cancelled", id_);
  }

  /// Starts children until the window is full; loads the next page when it runs dry; ends the
  /// batch when nothing is left.
  void fill() {
    if (ctx_.ended() || finishing_)
      return;
    if (cancelling_) {
      if (!unstarted_cancelled_) {
        unstarted_cancelled_ = true;
        cancel_unstarted();
        return;
      }
      if (running_.empty() && launching_ == 0 && cancel_written_)
        finish();
      return;
    }
    std::vector<batch::batch_image> next;
    while (running_.size() + launching_ + next.size() < concurrency_ && !waiting_.empty()) {
      next.push_back(std::move(waiting_.front()));
      waiting_.pop_front();
    }
    if (!next.empty())
      launch(std::move(next));
    if (waiting_.empty() && !exhausted_ && !loading_)
      load_page();
    if (waiting_.empty() && exhausted_ && running_.empty() && launching_ == 0)
      finish();
  }

  void load_page() {
    loading_ = true;
    auto self = shared_from_this();
    const auto after = cursor_;
    on_io([self, after] { return batch::batch_records(self->p_->rt()).unfinished(self->id_, after, page_size); },
          [self](std::vector<batch::batch_image> page) {
            self->loading_ = false;
            if (static_cast<std::int64_t>(page.size()) < page_size)
              self->exhausted_ = true;
            if (!page.empty())
              self->cursor_ = page.back().index;
            for (auto& row : page)
              self->waiting_.push_back(std::move(row));
            self->fill();
          });
  }

  void launch(std::vector<batch::batch_image> rows) {
    std::vector<enqueue_request> requests;
    for (const auto& row : rows) {
      enqueue_request req;
      req.kind = args_.child_kind;
      json::writer w;
      w.begin_object().key("mesh_id").value(row.mesh_id).key("image_url").value(row.image_url)
        .key("parameters").raw(record_.parameters).key("batch_id").value(id_).key("batch_index").value(row.index)
        .end_object();
      req.args = w.take();
      req.unique = unique_mode::until_executed;
      req.has_unique = true;
      req.on_conflict = unique_conflict::log;
      req.unique_key = "batch:" + std::to_string(id_) + ":" + std::to_string(row.index);
      requests.push_back(std::move(req));
      launched_up_to_ = std::max(launched_up_to_, row.index);
    }
    launching_ += rows.size();
    auto self = shared_from_this();
    ctx_.enqueue_many(std::move(requests), [self, rows = std::move(rows)](const std::vector<enqueue_reply>& replies) {
      self->launched(rows, replies);
    });
  }

  void launched(const std::vector<batch::batch_image>& rows, const std::vector<enqueue_reply>& replies) {
    launching_ -= rows.size();
    std::vector<job_id> ids;
    const auto now = p_->rt().clock().now();
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const auto& reply = i < replies.size() ? replies[i] : enqueue_reply{};
      if (reply.status == enqueue_status::refused)
        return ctx_.fail("enqueue_refused", "batch " + std::to_string(id_) + ": image " +
                                              std::to_string(rows[i].index) + " was refused: " + reply.error);
      running_.insert(reply.id);
      ids.push_back(reply.id);
      if (rows[i].job_id != static_cast<std::int64_t>(reply.id))
        unwritten_starts_.push_back(
          batch::writes::image_started(id_, rows[i].index, static_cast<std::int64_t>(reply.id), now));
    }
    write_starts();
    if (cancelling_)
      cancel_children(ids);
    auto self = shared_from_this();
    for (auto id : ids)
      ctx_.await({id}, [self](const std::vector<job_end>& ends) { self->child_ended(ends.front()); });
  }

  /// Keeps which child runs each image (a cancel after a crash finds them by it): one write at
  /// a time, of every start since the last, so a fast batch does not queue a commit per child.
  void write_starts() {
    if (writing_starts_ || unwritten_starts_.empty())
      return;
    writing_starts_ = true;
    auto self = shared_from_this();
    auto accepted = p_->io().post([self, writes = std::exchange(unwritten_starts_, {})]() mutable {
      try {
        self->p_->rt().write_records(std::move(writes));
      } catch (const std::exception& e) {
        spdlog::warn("batch {}: child job ids not kept (a cancel after a crash will not find them): {}", self->id_,
                     e.what());
      }
      self->post_([self] {
        self->writing_starts_ = false;
        self->write_starts();
      });
    });
    if (!accepted)
      writing_starts_ = false;
  }

  void child_ended(const job_end& end) {
    running_.erase(end.id);
    progress_due();
    fill();
  }

  void cancel_unstarted() {
    auto self = shared_from_this();
    const auto after = launched_up_to_;
    std::set<job_id> known(running_.begin(), running_.end());
    on_io([self, after, known = std::move(known)] {
            auto& rt = self->p_->rt();
            const auto now = rt.clock().now();
            std::vector<record_write> writes{batch::writes::cancelled(self->id_, now)};
            for (auto& w : batch::writes::cancel_unstarted(self->id_, after, now))
              writes.push_back(std::move(w));
            rt.write_records(std::move(writes));
            // Children started before a crash whose images have not ended: cancel them too.
            std::vector<job_id> live;
            for (const auto& row : batch::batch_records(rt).unfinished(self->id_, -1, 1 << 30)) {
              const auto id = static_cast<job_id>(row.job_id);
              if (id != 0 && !known.count(id) && rt.cancel(id) == cancel_status::cancelled)
                live.push_back(id);
            }
            return live;
          },
          [self](std::vector<job_id> live) {
            self->cancel_written_ = true;
            for (auto id : live) {
              self->running_.insert(id);
              self->ctx_.await({id}, [self](const std::vector<job_end>& ends) { self->child_ended(ends.front()); });
            }
            self->progress_due();
            self->fill();
          });
  }

  /// Publishes the counts soon: at once when the last event is 200 ms old, else when it will
  /// be. Ends that come while a read is on its way are published after it.
  void progress_due() {
    if (publish_timer_ != 0 || reading_) {
      dirty_ = reading_;
      return;
    }
    const auto wait = std::max(clock_type::duration::zero(), last_publish_ + progress_interval - clock_type::now());
    auto self = shared_from_this();
    publish_timer_ = ctx_.after(std::chrono::duration_cast<std::chrono::milliseconds>(wait), [self] {
      self->publish_timer_ = 0;
      self->read_and_publish();
    });
  }

  void read_and_publish() {
    reading_ = true;
    auto self = shared_from_this();
    auto accepted = p_->io().post([self] {
      std::optional<batch::batch_record> b;
      try {
        b = batch::batch_records(self->p_->rt()).find(self->id_);
      } catch (const std::exception& e) {
        spdlog::warn("batch {}: progress not read: {}", self->id_, e.what());
      }
      self->post_([self, b = std::move(b)] {
        self->reading_ = false;
        if (b)
          self->publish(*b);
        if (std::exchange(self->dirty_, false))
          self->progress_due();
      });
    });
    if (!accepted)
      reading_ = false;
  }

  /// The last event, and only it, says 100 %: an earlier read that finds every image ended
  /// leaves it to finish().
  void publish(const batch::batch_record& b, bool last = false) {
    if (finished_published_ || (!last && b.ended() >= b.total))
      return;
    last_publish_ = clock_type::now();
    ctx_.progress(b.progress(), std::to_string(b.ended()) + " of " + std::to_string(b.total) + " images");
    p_->rt().publish("batch_progress_" + std::to_string(id_), batch::progress_json(b));
  }

  /// Every child has ended: the exact counts once every outcome is durable, the 100 % event,
  /// then the job's success (its outcome hook moves the record).
  void finish() {
    finishing_ = true;
    if (publish_timer_ != 0)
      ctx_.cancel_timer(publish_timer_);
    auto self = shared_from_this();
    on_io([self] {
            self->p_->rt().write_records({});  // a barrier: the children's outcomes are durable
            auto b = batch::batch_records(self->p_->rt()).find(self->id_);
            if (!b)
              throw job_failure(setup_failure, "batch " + std::to_string(self->id_) + ": its record is gone");
            return *b;
          },
          [self](batch::batch_record b) {
            if (b.status == batch::status::processing)
              b.status = batch::status::completed;
            self->publish(b, true);
            self->finished_published_ = true;
            spdlog::info("batch {}: {} ({} completed, {} failed, {} cancelled of {})", self->id_, b.status, b.completed,
                         b.failed, b.cancelled, b.total);
            self->ctx_.done();
          });
  }

  std::shared_ptr<mesh_pipeline> p_;
  async_context& ctx_;
  batch_args args_;
  std::function<void(async_context::task)> post_;
  std::int64_t id_;
  std::size_t concurrency_;
  batch::batch_record record_;
  std::deque<batch::batch_image> waiting_;
  std::unordered_set<job_id> running_;  ///< the children started and not ended
  std::size_t launching_ = 0;
  std::int64_t cursor_ = -1;          ///< the last index paged in
  std::int64_t launched_up_to_ = -1;  ///< the highest index launched
  bool loading_ = false;
  bool exhausted_ = false;
  bool cancelling_ = false;
  bool unstarted_cancelled_ = false;
  bool cancel_written_ = false;
  bool finishing_ = false;
  bool finished_published_ = false;
  timer_id publish_timer_ = 0;
  bool reading_ = false;  ///< a progress read is on its way
  std::vector<record_write> unwritten_starts_;
  bool writing_starts_ = false;
  bool dirty_ = false;    ///< children ended while it was
  clock_type::time_point last_publish_{};
};

}  // namespace

batch_args read_batch_args(const std::string& text) {
  auto args = parse_job_args(text);
  batch_args out;
  auto name = [&](const char* key, const char* seed_key) -> std::string {
    for (const char* k : {key, seed_key}) {
      if (!args.has(k))
        continue;
      if (auto s = args.get_string(k))
        return *s;
      if (auto n = args.get_int(k))
        return std::to_string(*n);
      throw job_failure(deserialization_error, std::string{"args."} + k + ": must be a string or an integer");
    }
    return "";
  };
  out.project = name("project", "project_id");
  out.user = name("user", "user_id");
  const bool has_images = args.has("images") || args.has("image_ids");
  if (has_images == args.has("folder"))
    throw job_failure(deserialization_error, "args: give either images (a list of paths or URLs) or folder");
  if (has_images) {
    const char* key = args.has("images") ? "images" : "image_ids";
    auto images = args.get_string_array(key);
    if (!images)
      throw job_failure(deserialization_error, std::string{"args."} + key + ": must be an array of strings");
    for (const auto& i : *images)
      if (i.empty())
        throw job_failure(deserialization_error, std::string{"args."} + key + ": an image is an empty string");
    out.images = std::move(*images);
  } else {
    auto folder = args.get_string("folder");
    if (!folder || folder->empty())
      throw job_failure(deserialization_error, "args.folder: must be a non-empty string");
    out.folder = *folder;
  }
  if (args.has("parameters")) {
    auto raw = args.get_raw("parameters").value_or("");
    if (json::check_object(raw, "args.parameters"))
      throw job_failure(deserialization_error, "args.parameters: must be a JSON object");
    out.parameters = raw;
  }
  if (args.has("child_kind")) {
    auto kind = args.get_string("child_kind");
    if (!kind || kind->empty())
      throw job_failure(deserialization_error, "args.child_kind: must be a job kind");
    out.child_kind = *kind;
  }
  return out;
}

std::string batch_unique_key(const batch_args& a) {
  auto images = a.images;
  std::sort(images.begin(), images.end());
  std::string key = "batch:" + a.project + ":" + a.folder + ":" + a.child_kind + ":";
  for (const auto& i : images)
    key += std::to_string(i.size()) + ":" + i;
  // Long sets are named by a digest (an HMAC under a fixed key serves as SHA-256 here).
  return key.size() <= 200 ? key : key.substr(0, 120) + ":" + sign_body("meshjobs.batch", key).substr(7);
}

job_type batch_generation_type(std::shared_ptr<mesh_pipeline> p) {
  job_type t;
  t.kind = "mesh.batch_generation";
  t.queue = "batch_processing";
  t.unique = unique_mode::until_executed;
  t.on_conflict = unique_conflict::log;
  t.counts_against_concurrency = false;  // it only waits for its children
  t.timeout = std::chrono::hours(24 * 7);  // a large batch runs for hours; its children have their own
  t.retry.discard_on(deserialization_error).otherwise(wait_strategy::exponential(), 3);
  t.outcome_records = batch_outcome_records;
  t.outcome_jobs = batch_outcome_jobs;
  t.start = [p](async_context& ctx) {
    std::make_shared<batch_run>(p, ctx, read_batch_args(ctx.args()))->begin();
  };
  return t;
}

}  // namespace meshjobs
