/**
 * The whole job as commands: {@code wpunet demo} ({@link org.wpunet.pipeline.Demo}: synthetic stack, pretrained
 * segmentation, WPU-Net vs U-Net from scratch, 3D tracking, a report), {@code wpunet experiment}
 * ({@link org.wpunet.pipeline.Experiment}: the paper's ablation with one budget) and {@code wpunet example}.
 * See docs/demo.md.
 */
package org.wpunet.pipeline;
