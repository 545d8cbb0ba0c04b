// The config model: the seed's sidekiq.yml block plus meshjobs' own sections.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace meshjobs {

struct queue_config {
  std::string name;
  int weight = 1;  ///< Sidekiq's weight; all equal means strict order
};

struct cron_entry_config {
  std::string name;       ///< the schedule key, e.g. "cleanup_old_meshes"
  std::string cron;       ///< 5 fields, UTC
  std::string kind;       ///< job kind; `class: "Mesh::CleanupJob"` becomes "mesh.cleanup"
  std::string args = "{}";  ///< JSON object text
  std::string queue;      ///< empty: the job type's queue
};

enum class store_backend { memory, sqlite };
enum class store_sync { normal, full };
enum class node_role { standalone, head, worker };
enum class scheduler_policy { stealing, sharing };
enum class link_transport { tls, plaintext };

struct store_config {
  store_backend backend = store_backend::memory;
  std::string path = "meshjobs.db";
  store_sync sync = store_sync::normal;
  std::int64_t dead_max_jobs = 10000;        ///< the dead set keeps at most this many
  std::int64_t dead_max_age_s = 180 * 86400; ///< and none older than this (Sidekiq: 6 months)
  /// Finished jobs (succeeded, discarded, cancelled, expired) kept for lookups and queries:
  /// at most this many...
  std::int64_t finished_max_jobs = 10000;
  std::int64_t finished_max_age_s = 7 * 86400;  ///< ...and none older than this
};

struct node_config {
  std::string name = "meshjobs";
  node_role role = node_role::standalone;
  std::string inject_host = "127.0.0.1";  ///< where the front actor is published
  int inject_port = 0;                    ///< 0: not published
  std::int64_t max_pending = 5000000;     ///< enqueue refuses past this many live jobs
  scheduler_policy scheduler = scheduler_policy::sharing;
  int scheduler_threads = 0;              ///< 0: one per core less one (at least one)
  /// Pool threads held by hung handlers that are written off and replaced; past it, a hung
  /// handler keeps its thread and blocking jobs wait for another.
  int max_written_off_threads = 32;
  /// head: where workers join (the cluster port; 0: no worker can join).
  std::string cluster_host = "127.0.0.1";
  int cluster_port = 0;
  /// worker: the head's cluster port, HOST:PORT.
  std::string join;
  /// The kinds this node runs, comma-separated; an entry ending in `*` is a prefix ("demo.*").
  /// Empty: every registered kind, except on a head, which by default runs none (its workers do).
  std::string run_kinds;
  /// Links between nodes: each side sends a heartbeat this often and drops a peer it has
  /// heard nothing from for connection_timeout_ms (a hung or cut-off node). 0: off.
  std::int64_t heartbeat_interval_ms = 250;
  std::int64_t connection_timeout_ms = 1500;
  /// A worker that lost its head tries again after this, doubling up to the maximum.
  std::int64_t rejoin_min_ms = 100;
  std::int64_t rejoin_max_ms = 5000;
};

enum class mesh_backend { embedded, http };

/// `mesh_service`: who turns images into meshes. `embedded` meshes in this process on the
/// worker pool; `http` speaks the external service protocol (DESIGN.md) to `url`.
struct mesh_service_config {
  mesh_backend backend = mesh_backend::embedded;
  std::string url = "http://127.0.0.1:8090";
  std::int64_t poll_interval_ms = 2000;     ///< the seed's `sleep 2` between status polls
  std::int64_t poll_timeout_s = 300;        ///< the seed's 5 minutes
  std::int64_t request_timeout_ms = 10000;  ///< one HTTP request to the service
  std::int64_t max_image_bytes = 64ll << 20;
  std::int64_t max_image_pixels = 4096ll * 4096ll;
  /// Signs the service's callbacks (HMAC-SHA256); empty: callbacks are refused.
  std::string callback_secret;
};

/// `storage`: where meshes and their previews are kept: <root>/meshes/<id>/mesh.glb and
/// thumb.png, and the usage reports in <root>/reports.
struct storage_config {
  std::string root = ".";
  std::int64_t min_free_mb = 64;   ///< a generation refuses to start on a fuller disk
  std::int64_t thumbnail_size = 256;
};

/// `notifications`: the sinks that completion and failure notifications go to.
struct notifications_config {
  bool log = true;
  std::string webhook_url;     ///< empty: no webhook
  std::string webhook_secret;  ///< signs each webhook body (HMAC-SHA256)
};

/// `metrics`: StatsD over UDP with the seed's names; empty statsd: off.
struct metrics_config {
  std::string statsd;  ///< host:port
  std::string prefix;
};

/// `http`: the gateway (REST, the mesh service's callbacks, /healthz).
struct http_config {
  std::string host = "127.0.0.1";
  std::int64_t port = 0;  ///< 0: the gateway is off
  std::string token;      ///< bearer token for everything but /healthz and the callback
  std::int64_t max_body_bytes = 1 << 20;
  /// The host the mesh service calls back (the seed's APP_HOST); empty: host:port.
  std::string app_host;
};

/// `security`: who may reach this node's published ports (the inject port, a head's cluster
/// port) and whom a worker joins. Every peer proves it holds the cluster secret before CAF's
/// BASP reads a byte from it; with `tls`, both sides also show certificates of the same CA.
struct security_config {
  link_transport transport = link_transport::tls;
  /// The node's generated credentials (ca.pem, node.pem, node.key, cluster.secret), made on
  /// first start; empty: `meshjobs-keys` in the directory of store.path.
  std::string keys_dir;
  std::string ca;           ///< CA certificate (PEM) peers must chain to; empty: <keys_dir>/ca.pem
  std::string certificate;  ///< this node's certificate (PEM); empty: <keys_dir>/node.pem
  std::string key;          ///< its private key (PEM); empty: <keys_dir>/node.key
  /// Empty: $MESHJOBS_CLUSTER_SECRET, else <keys_dir>/cluster.secret. The variable, when set,
  /// wins over this key.
  std::string secret;
  std::int64_t handshake_timeout_ms = 5000;  ///< a peer not authenticated by then is dropped
  /// Set by `meshjobs --insecure` only, never by a file: a plaintext port off loopback.
  bool insecure = false;
};

/// `batch`: mesh.batch_generation. The environment's BATCH_CONCURRENCY (the seed's variable)
/// overrides `concurrency` (see apply_environment).
struct batch_config {
  std::int64_t concurrency = 5;  ///< child generations of one batch at once
};

struct config {
  bool verbose = false;
  int concurrency = 25;  ///< executions at once on this node
  int timeout_s = 300;   ///< one execution's bound; also the shutdown grace
  std::vector<queue_config> queues = {{"default", 1}};
  std::map<std::string, int> limits;  ///< queue -> max running cluster-wide
  std::vector<cron_entry_config> schedule;
  store_config store;
  node_config node;
  mesh_service_config mesh_service;
  storage_config storage;
  notifications_config notifications;
  metrics_config metrics;
  http_config http;
  security_config security;
  batch_config batch;
};

struct host_port {
  std::string host;
  std::uint16_t port = 0;
};

/// "HOST:PORT" or "[IPv6]:PORT" with a port from 1 to 65535; nullopt otherwise.
std::optional<host_port> join_address(const std::string& text);

std::string_view to_string(store_backend b);
std::string_view to_string(node_role r);
std::string_view to_string(link_transport t);

}  // namespace meshjobs
