//===- Main.cpp - Catch2 main of the aic unit tests -----------------------===//
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
