/**
 * WPU-Net and the U-Net baseline: {@link org.wpunet.model.WpuNet}, {@link org.wpunet.model.UNet} and
 * their building blocks ({@link org.wpunet.model.DoubleConv}, {@link org.wpunet.model.UpConcat}),
 * with PyTorch state-dict keys equal to the original research code's (see docs/model.md).
 */
package org.wpunet.model;
