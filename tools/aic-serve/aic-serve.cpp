//===- aic-serve.cpp - serve compiled models over HTTP --------------------===//
//
// aic-serve --model-repository DIR [--http-address A] [--http-port P]
//           [--threads N] [--instances N] [--max-batch-size B]
//           [--batch-timeout-us T] [--http-thread-count N]
//           [--max-request-bytes N] [--exit-timeout-secs S]
//
// Serves every model in a Triton-layout repository (serving/Repository.h)
// over the Open Inference Protocol (KServe v2 / Triton HTTP), with Triton's
// binary tensor extension, and Prometheus metrics at /metrics. SIGTERM or
// SIGINT stops it taking connections; the requests in flight finish, then
// it exits 0. Exit code 1 and one line where it cannot start. Links the
// runtime, never LLVM or MLIR.
//
//===----------------------------------------------------------------------===//

#include "serving/Metrics.h"
#include "serving/Protocol.h"
#include "serving/Repository.h"
#include "serving/Scheduler.h"

#include "aic/runtime.h"

#include <httplib.h>

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>

using namespace aic_serve;

namespace {
struct Options {
  std::string repository;
  std::string address = "0.0.0.0";
  long port = 8000;
  ServeDefaults defaults;
  long httpThreads = 64;
  long maxRequestBytes = 256l << 20;
  long exitTimeoutSecs = 30;
};

[[noreturn]] void die(const std::string &message) {
  std::fprintf(stderr, "aic-serve: error: %s\n", message.c_str());
  std::exit(1);
}

const char *usage =
    "usage: aic-serve --model-repository DIR [--http-address A]\n"
    "                 [--http-port P] [--threads N] [--instances N]\n"
    "                 [--max-batch-size B] [--batch-timeout-us T]\n"
    "                 [--http-thread-count N] [--max-request-bytes N]\n"
    "                 [--exit-timeout-secs S]\n"
    "\n"
    "Serves the models in DIR (DIR/NAME/VERSION/model.so, made by\n"
    "aic-compile, and an optional DIR/NAME/config.pbtxt) over the Open\n"
    "Inference Protocol (KServe v2 / Triton HTTP). SIGTERM drains it.\n"
    "\n"
    "options:\n"
    "  --model-repository DIR  the models to serve\n"
    "  --http-address A        the address to listen on (default 0.0.0.0)\n"
    "  --http-port P           the port (default 8000; 0: any free one)\n"
    "  --threads N             threads per run (default 1; 0: all cores)\n"
    "  --instances N           runs of a model at once (default: cores)\n"
    "  --max-batch-size B      batch requests up to B rows (default 0: off)\n"
    "  --batch-timeout-us T    how long a batch waits for more (default 0)\n"
    "  --http-thread-count N   connections served at once (default 64)\n"
    "  --max-request-bytes N   the largest request (default 256 MiB)\n"
    "  --exit-timeout-secs S   on SIGTERM, the wait for requests (default "
    "30)\n"
    "  --version               print aic-serve's version\n"
    "  -h, --help              print this help\n";

long parseCount(const std::string &flag, const std::string &text, long min,
                long max) {
  char *end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end || value < min || value > max)
    die(flag + " expects a whole number from " + std::to_string(min) + " to " +
        std::to_string(max) + ", got '" + text + "'");
  return value;
}

Options parseOptions(int argc, char **argv) {
  Options o;
  o.defaults.instances = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i], value;
    if (arg == "--version") {
      std::printf("aic-serve %s (model ABI %d)\n", AIC_VERSION,
                  AIC_MODEL_ABI_VERSION);
      std::exit(0);
    }
    if (arg == "-h" || arg == "--help") {
      std::fputs(usage, stdout);
      std::exit(0);
    }
    size_t eq = arg.find('=');
    if (arg.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    } else if (arg.rfind("--", 0) == 0) {
      if (i + 1 >= argc)
        die(arg + " expects a value");
      value = argv[++i];
    } else {
      die("unexpected argument '" + arg + "'\n" + usage);
    }
    if (arg == "--model-repository")
      o.repository = value;
    else if (arg == "--http-address")
      o.address = value;
    else if (arg == "--http-port")
      o.port = parseCount(arg, value, 0, 65535);
    else if (arg == "--threads")
      o.defaults.threads = parseCount(arg, value, 0, 4096);
    else if (arg == "--instances")
      o.defaults.instances = parseCount(arg, value, 1, 4096);
    else if (arg == "--max-batch-size")
      o.defaults.maxBatchSize = parseCount(arg, value, 0, 1l << 30);
    else if (arg == "--batch-timeout-us")
      o.defaults.batchTimeoutUs = parseCount(arg, value, 0, 60000000);
    else if (arg == "--http-thread-count")
      o.httpThreads = parseCount(arg, value, 1, 4096);
    else if (arg == "--max-request-bytes")
      o.maxRequestBytes = parseCount(arg, value, 1, 1l << 40);
    else if (arg == "--exit-timeout-secs")
      o.exitTimeoutSecs = parseCount(arg, value, 0, 86400);
    else
      die("unknown option '" + arg + "'\n" + usage);
  }
  if (o.repository.empty())
    die(std::string("no --model-repository given\n") + usage);
  return o;
}

/// The server: its routes over the repository, and its state.
class Server {
public:
  explicit Server(Repository &repository) : repository(repository) {}

  void addRoutes(httplib::Server &http);
  /// Stops taking requests (SIGTERM): readiness turns false.
  void startDraining() { draining = true; }

private:
  void infer(const httplib::Request &req, httplib::Response &res);
  /// The model version a route's matches name ({name}, {version}), or
  /// null with a 400 response.
  ModelVersion *versionOf(const httplib::Request &req, httplib::Response &res);
  void fail(httplib::Response &res, int status, const std::string &message);

  Repository &repository;
  Metrics metrics;
  std::atomic<bool> draining{false};
};

void Server::fail(httplib::Response &res, int status,
                  const std::string &message) {
  res.status = status;
  res.set_content(errorBody(message), "application/json");
}

ModelVersion *Server::versionOf(const httplib::Request &req,
                                httplib::Response &res) {
  std::string error;
  ModelVersion *v = repository.find(req.matches[1], req.matches[2], error);
  if (!v)
    fail(res, 400, error);
  return v;
}

void Server::infer(const httplib::Request &req, httplib::Response &res) {
  auto start = std::chrono::steady_clock::now();
  ModelVersion *v = versionOf(req, res);
  if (!v)
    return;
  auto finish = [&](bool ok) {
    (ok ? v->metrics->success : v->metrics->failure)
        .fetch_add(1, std::memory_order_relaxed);
    v->metrics->requestSeconds.observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
  };
  size_t jsonBytes = std::string::npos;
  if (req.has_header("Inference-Header-Content-Length")) {
    std::string text = req.get_header_value("Inference-Header-Content-Length");
    char *end = nullptr;
    unsigned long long n = std::strtoull(text.c_str(), &end, 10);
    if (text.empty() || *end || text[0] == '-') {
      fail(res, 400,
           "Inference-Header-Content-Length is '" + text +
               "', not a byte count");
      return finish(false);
    }
    jsonBytes = n;
  }
  // The body moves into a shared string that binary inputs point into
  // (httplib reads nothing of the request after its handler).
  auto body = std::make_shared<const std::string>(
      std::move(const_cast<std::string &>(req.body)));
  InferRequest request;
  std::string error = parseInferRequest(body, jsonBytes, *v->info, request);
  if (!error.empty()) {
    fail(res, 400, error);
    return finish(false);
  }
  RunResult result = v->executor->run(std::move(request.inputs));
  if (!result.error.empty()) {
    fail(res, result.httpStatus, result.error);
    return finish(false);
  }
  EncodedResponse response = encodeInferResponse(v->name, v->version, request,
                                                 *v->info, result.outputs);
  if (response.jsonBytes != std::string::npos) {
    res.set_header("Inference-Header-Content-Length",
                   std::to_string(response.jsonBytes));
    res.set_content(std::move(response.body), "application/octet-stream");
  } else {
    res.set_content(std::move(response.body), "application/json");
  }
  finish(true);
}

void Server::addRoutes(httplib::Server &http) {
  const std::string model = "/v2/models/([^/]+)(?:/versions/([^/]+))?";
  http.Get("/v2/health/live", [](const httplib::Request &,
                                 httplib::Response &res) { res.status = 200; });
  http.Get("/v2/health/ready",
           [this](const httplib::Request &, httplib::Response &res) {
             res.status = draining ? 400 : 200;
           });
  http.Get("/v2", [](const httplib::Request &, httplib::Response &res) {
    res.set_content("{\"name\":\"aic-serve\",\"version\":\"" AIC_VERSION
                    "\",\"extensions\":[\"binary_tensor_data\"]}",
                    "application/json");
  });
  http.Get(model, [this](const httplib::Request &req, httplib::Response &res) {
    ModelVersion *v = versionOf(req, res);
    if (!v)
      return;
    std::vector<std::string> versions;
    for (const auto &entry : repository.find(v->name)->versions)
      versions.push_back(entry.second->version);
    res.set_content(modelMetadata(v->name, versions, *v->info),
                    "application/json");
  });
  http.Get(model + "/ready",
           [this](const httplib::Request &req, httplib::Response &res) {
             if (versionOf(req, res))
               res.status = draining ? 400 : 200;
           });
  http.Post(model + "/infer",
            [this](const httplib::Request &req, httplib::Response &res) {
              infer(req, res);
            });
  http.Post("/v2/repository/index", [this](const httplib::Request &,
                                           httplib::Response &res) {
    std::string body = "[";
    for (const auto &entry : repository.models())
      for (const auto &version : entry.second->versions)
        body += std::string(body.size() > 1 ? "," : "") +
                "{\"name\":" + jsonString(entry.first) + ",\"version\":\"" +
                version.second->version + "\",\"state\":\"READY\"}";
    res.set_content(body + "]", "application/json");
  });
  http.Get("/metrics",
           [this](const httplib::Request &, httplib::Response &res) {
             std::vector<Metrics::Entry> entries;
             for (const auto &entry : repository.models())
               for (const auto &version : entry.second->versions)
                 entries.push_back({entry.first, version.second->version,
                                    version.second->metrics.get()});
             res.set_content(metrics.render(entries),
                             "text/plain; version=0.0.4; charset=utf-8");
           });
  http.set_error_handler(
      [](const httplib::Request &req, httplib::Response &res) {
        if (!res.body.empty())
          return;
        std::string what = res.status == 404
                               ? "no route for " + req.method + " " + req.path
                               : "HTTP status " + std::to_string(res.status);
        res.set_content(errorBody(what), "application/json");
      });
  http.set_exception_handler([](const httplib::Request &,
                                httplib::Response &res,
                                std::exception_ptr error) {
    std::string what = "internal error";
    try {
      std::rethrow_exception(error);
    } catch (const std::bad_alloc &) {
      what = "out of memory";
    } catch (const std::exception &e) {
      what = std::string("internal error: ") + e.what();
    } catch (...) {
    }
    res.status = what == "out of memory" ? 503 : 500;
    res.set_content(errorBody(what), "application/json");
  });
  http.set_post_routing_handler(
      [this](const httplib::Request &, httplib::Response &res) {
        metrics.countResponse(res.status);
      });
}
} // namespace

int main(int argc, char **argv) {
  Options o = parseOptions(argc, argv);
  // Signals go to the thread that waits for them, not to whichever thread
  // they land on; a client that hangs up costs a write error, not SIGPIPE.
  sigset_t stopSignals;
  sigemptyset(&stopSignals);
  sigaddset(&stopSignals, SIGTERM);
  sigaddset(&stopSignals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stopSignals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  std::string error;
  std::unique_ptr<Repository> repository =
      Repository::open(o.repository, o.defaults, error);
  if (!repository)
    die(error);

  Server server(*repository);
  httplib::Server http;
  size_t httpThreads = static_cast<size_t>(o.httpThreads);
  http.new_task_queue = [httpThreads] {
    return new httplib::ThreadPool(httpThreads);
  };
  http.set_payload_max_length(static_cast<size_t>(o.maxRequestBytes));
  http.set_keep_alive_max_count(1000);
  // Answers go out at once: with Nagle's algorithm a response's body
  // waits for the client's delayed ACK of its headers (40 ms).
  http.set_tcp_nodelay(true);
  server.addRoutes(http);
  int port = static_cast<int>(o.port);
  if (port == 0)
    port = http.bind_to_any_port(o.address);
  else if (!http.bind_to_port(o.address, port))
    port = -1;
  if (port <= 0)
    die("cannot listen on " + o.address + ":" + std::to_string(o.port) +
        " (in use, or not an address of this machine)");

  for (const auto &entry : repository->models())
    for (const auto &version : entry.second->versions) {
      const ModelVersion &v = *version.second;
      std::fprintf(
          stderr,
          "aic-serve: %s version %s: %s, %d instance%s x %d "
          "thread%s, %s\n",
          v.name.c_str(), v.version.c_str(), v.path.c_str(), v.instances,
          v.instances == 1 ? "" : "s", v.threads, v.threads == 1 ? "" : "s",
          v.maxBatchSize > 1
              ? ("batches up to " + std::to_string(v.maxBatchSize) + " rows")
                    .c_str()
              : "no batching");
    }
  std::printf("aic-serve: listening on %s:%d\n", o.address.c_str(), port);
  std::fflush(stdout);

  // SIGTERM or SIGINT: stop taking connections, let the requests in
  // flight finish (up to --exit-timeout-secs), then return from listen.
  std::mutex doneMutex;
  std::condition_variable doneChanged;
  bool done = false;
  std::thread signals([&] {
    int signal = 0;
    sigwait(&stopSignals, &signal);
    std::unique_lock<std::mutex> lock(doneMutex);
    if (done)
      return;
    std::fprintf(stderr, "aic-serve: %s: finishing the requests in flight\n",
                 signal == SIGTERM ? "SIGTERM" : "SIGINT");
    server.startDraining();
    // httplib's stop() does nothing before listen has begun: a signal
    // that comes right after the port is bound waits for it.
    while (!done && !http.is_running()) {
      lock.unlock();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      lock.lock();
    }
    http.stop();
    if (!doneChanged.wait_for(lock, std::chrono::seconds(o.exitTimeoutSecs),
                              [&] { return done; })) {
      std::fprintf(stderr,
                   "aic-serve: requests still running after %ld s; exiting\n",
                   o.exitTimeoutSecs);
      _exit(1);
    }
  });
  http.listen_after_bind();
  repository->drain();
  {
    std::lock_guard<std::mutex> lock(doneMutex);
    done = true;
  }
  doneChanged.notify_all();
  // listen returned by itself (not through a signal): wake the waiter.
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  repository.reset();
  std::fprintf(stderr, "aic-serve: stopped\n");
  return 0;
}
