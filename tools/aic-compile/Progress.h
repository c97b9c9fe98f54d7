//===- Progress.h - aic-compile's phases: progress and timings --*- C++ -*-===//
//
// Times each phase of a compile (for --report) and shows them: a bar on a
// terminal (stderr), a line per phase with --verbose, nothing otherwise.
//
//===----------------------------------------------------------------------===//

#ifndef AIC_TOOLS_AIC_COMPILE_PROGRESS_H
#define AIC_TOOLS_AIC_COMPILE_PROGRESS_H

#include "llvm/ADT/StringRef.h"

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace aic_compile {

class Progress {
public:
  enum class Style { None, Bar, Lines };

  /// `total`: how many phases the compile runs.
  Progress(unsigned total, Style style) : total(total), style(style) {}
  ~Progress() { finish(); }

  /// Ends the running phase, if any, and starts `name`.
  void start(llvm::StringRef name);
  /// Ends the running phase and clears the bar (before printing a message).
  void finish();

  /// Each finished phase and its wall time in seconds, in order.
  const std::vector<std::pair<std::string, double>> &timings() const {
    return phases;
  }

private:
  void draw();

  unsigned total;
  Style style;
  std::vector<std::pair<std::string, double>> phases;
  std::string running;
  std::chrono::steady_clock::time_point since;
  bool drawn = false;
};

} // namespace aic_compile

#endif // AIC_TOOLS_AIC_COMPILE_PROGRESS_H
