package org.wpunet.nn.loss;

/** How a loss reduces its per-element values (PyTorch's reduction argument). */
public enum Reduction { NONE, MEAN, SUM }
