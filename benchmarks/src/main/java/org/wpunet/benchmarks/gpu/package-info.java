/**
 * JMH benchmarks of WPU-Net's ops on the GPU (convolutions, matrix products, batch norm, pooling,
 * ReLU) through the public tensor API; the CUDA backend is found at run time. See benchmarks/README.md.
 */
package org.wpunet.benchmarks.gpu;
