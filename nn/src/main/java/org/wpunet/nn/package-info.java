/**
 * The nn module of WPU-Net for the JVM: reverse-mode autograd ({@code autograd}), layers
 * ({@code module}), initialisers ({@code init}), optimisers and schedulers ({@code optim}), losses
 * ({@code loss}) and safetensors state dicts ({@code io}). Everything is written on core's
 * {@link org.wpunet.core.Tensor} and {@link org.wpunet.core.NeuralOps}, so it runs on any backend.
 */
package org.wpunet.nn;
