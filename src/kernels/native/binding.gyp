{
  "targets": [
    {
      "target_name": "scratchnet_native",
      "sources": ["kernels.c", "kernels-avx512.c", "kernels-avx2.c"],
      "cflags": ["-O3", "-std=gnu11", "-Wall", "-Wextra", "-Wno-unused-parameter"]
    }
  ]
}
