# S3 supernet (MixNet-M skeleton) on the embedded MNIST-5k at 32x32, a CPU-sized check of the ImageNet space:
# configs/supernet/s2_mnist5k.py with S3's layers (m=1).
_base_ = './s2_mnist5k.py'
model = dict(network=dict(type='S3Supernet', m=1))
