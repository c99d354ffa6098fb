# The watcher's benchmarks (included by tests/bench/CMakeLists.txt):
#   watcher-bench.sh   change-to-file latency against a plain v2 wait, onetime render of
#                      10,000 keys against one recursive GET, peak RSS with 100 resources;
#                      with -a v3 the same on the v3 API (floors: a raw /v3/watch stream,
#                      one /v3/kv/range)
#   watcher_bench      its measuring helper (seed keys, time changes with inotify)
add_executable(watcher_bench ${CMAKE_CURRENT_LIST_DIR}/watcher_bench.c)
target_link_libraries(watcher_bench PRIVATE PkgConfig::CURL)

# `bench-watcher`: one full run (starts its own etcd; needs etcd and curl on PATH).
add_custom_target(bench-watcher
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/watcher-bench.sh
            -w $<TARGET_FILE:etcdwatch> -b $<TARGET_FILE:watcher_bench>
    DEPENDS etcdwatch watcher_bench
    USES_TERMINAL
    COMMENT "etcdwatch: latency, onetime render and memory on a local etcd")

# `bench-watcher-v3`: the same with the watcher on `api = v3`.
add_custom_target(bench-watcher-v3
    COMMAND ${CMAKE_CURRENT_LIST_DIR}/watcher-bench.sh -a v3
            -w $<TARGET_FILE:etcdwatch> -b $<TARGET_FILE:watcher_bench>
    DEPENDS etcdwatch watcher_bench
    USES_TERMINAL
    COMMENT "etcdwatch on v3: latency, onetime render and memory on a local etcd")
