module etcdwatch/tests/template/gen

go 1.19
