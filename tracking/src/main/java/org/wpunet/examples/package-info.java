/**
 * Example programs that use only the public API, each a short main class run by a test: train, evaluate,
 * track into 3D, load PyTorch weights (and, in module wpunet, segment). {@code bin/wpunet example NAME ARGS}
 * runs one.
 */
package org.wpunet.examples;
