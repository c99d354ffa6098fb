# The template engine's benchmark (included by tests/bench/CMakeLists.txt):
#   bench_template [REPEATS]   keys/s over 1k, 10k and 100k keys, and peak memory
add_executable(bench_template ${CMAKE_CURRENT_LIST_DIR}/bench_template.c)
target_link_libraries(bench_template PRIVATE etcdwatch_template)
