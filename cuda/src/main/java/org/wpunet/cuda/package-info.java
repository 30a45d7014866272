/** The CUDA backend: JCuda driver API, cuBLAS/cuDNN through FFM, own kernels as PTX (see docs/cuda.md). */
package org.wpunet.cuda;
