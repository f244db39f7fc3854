#include "data/exec/console_reporter.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace strata::data {

std::string Thousands(int64_t v) {
  std::string s = std::to_string(v);
  const size_t first = v < 0 ? 1 : 0;
  for (int i = static_cast<int>(s.size()) - 3; i > static_cast<int>(first); i -= 3) {
    s.insert(static_cast<size_t>(i), ",");
  }
  return s;
}

ConsoleReporter::ConsoleReporter(std::string file, bool progress)
    : file_(std::move(file)), progress_(progress && isatty(STDERR_FILENO)) {}

void ConsoleReporter::OnProgress(const StageProgress& p) {
  if (!progress_) return;
  line_open_ = true;
  if (p.total == 0) {  // batches, open-ended
    std::fprintf(stderr, "\r[%s] %zu batches, %s rows out   ", p.stage.c_str(), p.done, Thousands(p.rows).c_str());
    return;
  }
  const double rate = p.seconds > 0 ? static_cast<double>(p.rows) / p.seconds : 0;
  const double eta = p.done > 0 ? p.seconds * static_cast<double>(p.total - p.done) / static_cast<double>(p.done) : 0;
  std::fprintf(stderr, "\r[%s] %zu/%zu parts, %s rows, %.0fk rows/s, ETA %.0f s   ", p.stage.c_str(), p.done,
               p.total, Thousands(p.rows).c_str(), rate / 1000, eta);
}

void ConsoleReporter::OnStageEnd(const std::string&) {
  if (line_open_) std::fprintf(stderr, "\n");
  line_open_ = false;
}

void ConsoleReporter::OnFinish(const RunReport& r) {
  OnStageEnd("");
  if (!r.error.empty()) {
    std::fprintf(stderr, "strata run %s: %s\n", file_.c_str(), r.error.c_str());
    return;
  }
  const int64_t good = r.rows_read - r.rows_bad;
  std::fprintf(stderr, "\n%-4s %-18s %14s %14s %14s\n", "step", "operator", "rows in", "rows out", "filtered");
  std::fprintf(stderr, "%-4s %-18s %14s %14s %14s\n", "-", "read", Thousands(r.rows_read).c_str(),
               Thousands(good).c_str(), ("bad " + Thousands(r.rows_bad)).c_str());
  for (const StepRows& s : r.steps) {
    if (!s.row_local) {  // global steps: rows in and out only
      std::fprintf(stderr, "%-4zu %-18s %14s %14s\n", s.step, s.op.c_str(), Thousands(s.rows_in).c_str(),
                   Thousands(s.rows_out).c_str());
    } else {
      // Steps that add rows (flat_map, map_batches) say how many.
      const std::string change = s.rows_out > s.rows_in ? "added " + Thousands(s.rows_out - s.rows_in)
                                                        : Thousands(s.rows_in - s.rows_out);
      std::fprintf(stderr, "%-4zu %-18s %14s %14s %14s\n", s.step, s.op.c_str(), Thousands(s.rows_in).c_str(),
                   Thousands(s.rows_out).c_str(), change.c_str());
    }
    // Per rule, largest first: why the rows went.
    std::vector<std::pair<std::string, int64_t>> counts(s.counters.begin(), s.counters.end());
    std::stable_sort(counts.begin(), counts.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
    for (const auto& [name, n] : counts) {
      // A share of the rows for counts of rows (drops per rule); other counts
      // (tokens, replacements, a fit's passes) can exceed the rows and get none.
      const bool passes = name.size() > 7 && name.compare(name.size() - 7, 7, "_passes") == 0;
      if (n <= s.rows_in && s.rows_in > 0 && !passes) {
        const double share = 100.0 * static_cast<double>(n) / static_cast<double>(s.rows_in);
        std::fprintf(stderr, "       %-30s %14s %6.1f%%\n", name.c_str(), Thousands(n).c_str(), share);
      } else {
        std::fprintf(stderr, "       %-30s %14s\n", name.c_str(), Thousands(n).c_str());
      }
    }
  }
  const std::string bad_how = r.bad_policy == "quarantine" ? "quarantined to " + r.quarantine_path : r.bad_policy;
  // Records steps rejected (clips that do not decode) went the same way.
  const std::string rejected =
      r.rows_rejected > 0 ? ", " + Thousands(r.rows_rejected) + " rejected by steps" : std::string();
  std::fprintf(stderr, "\nread %s rows (%.1f MB) from %s; %s bad%s (%s); wrote %s rows to %s in %d part(s); %.2f s\n",
               Thousands(r.rows_read).c_str(), static_cast<double>(r.bytes_read) / 1e6, r.source.c_str(),
               Thousands(r.rows_bad).c_str(), rejected.c_str(), bad_how.c_str(), Thousands(r.rows_written).c_str(),
               r.write_path.c_str(), r.parts_written, r.seconds);
  if (!r.write_note.empty()) std::fprintf(stderr, "%s\n", r.write_note.c_str());
}

}  // namespace strata::data
