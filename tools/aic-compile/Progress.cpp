//===- Progress.cpp - aic-compile's phases: progress and timings ----------===//

#include "tools/aic-compile/Progress.h"

#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

using namespace aic_compile;

void Progress::start(llvm::StringRef name) {
  finish();
  running = name.str();
  since = std::chrono::steady_clock::now();
  if (style == Style::Lines)
    llvm::errs() << "aic-compile: " << name << "\n";
  else if (style == Style::Bar)
    draw();
}

void Progress::finish() {
  if (!running.empty()) {
    std::chrono::duration<double> took =
        std::chrono::steady_clock::now() - since;
    phases.emplace_back(running, took.count());
    running.clear();
  }
  if (drawn) {
    // The next phase redraws it; a message printed now starts the line.
    llvm::errs() << "\r\033[K";
    llvm::errs().flush();
    drawn = false;
  }
}

void Progress::draw() {
  constexpr unsigned width = 24;
  unsigned done = std::min<unsigned>(phases.size(), total);
  unsigned filled = total ? width * done / total : width;
  std::string bar(filled, '#');
  bar.resize(width, '.');
  llvm::errs() << "\r\033[Kaic-compile [" << bar << "] " << done + 1 << "/"
               << total << " " << running;
  llvm::errs().flush();
  drawn = true;
}
