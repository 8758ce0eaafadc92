# Declarative helpers in the abseil style: one call per library, test or
# benchmark, naming sources and dependencies.
include(GoogleTest)

# kubepp_library(NAME name SRCS a.cc ... [DEPS dep ...])
function(kubepp_library)
  cmake_parse_arguments(K "" "NAME" "SRCS;DEPS" ${ARGN})
  add_library(${K_NAME} STATIC ${K_SRCS})
  target_link_libraries(${K_NAME} PUBLIC ${K_DEPS})
endfunction()

# kubepp_test(NAME name SRCS a_test.cc ... [DEPS dep ...] [LABELS l ...] [TIMEOUT s] [LOCK resource])
# One binary per call; every gtest case becomes its own ctest entry. Tests
# sharing a LOCK (host state such as the iptables NAT chains of CNI's portmap)
# never run at the same time under `ctest -j`.
function(kubepp_test)
  cmake_parse_arguments(K "" "NAME;TIMEOUT;LOCK" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${K_NAME} ${K_SRCS})
  target_link_libraries(${K_NAME} PRIVATE ${K_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT K_TIMEOUT)
    set(K_TIMEOUT 120)
  endif()
  if(K_LOCK)
    gtest_discover_tests(${K_NAME} DISCOVERY_MODE PRE_TEST
      PROPERTIES TIMEOUT ${K_TIMEOUT} LABELS "${K_LABELS}" RESOURCE_LOCK ${K_LOCK})
  else()
    gtest_discover_tests(${K_NAME} DISCOVERY_MODE PRE_TEST
      PROPERTIES TIMEOUT ${K_TIMEOUT} LABELS "${K_LABELS}")
  endif()
endfunction()

# kubepp_benchmark(NAME name SRCS a_benchmark.cc ... [DEPS dep ...])
# Built by default, never run by ctest: run them by hand (see README).
function(kubepp_benchmark)
  cmake_parse_arguments(K "" "NAME" "SRCS;DEPS" ${ARGN})
  add_executable(${K_NAME} ${K_SRCS})
  target_link_libraries(${K_NAME} PRIVATE ${K_DEPS} benchmark::benchmark)
endfunction()
