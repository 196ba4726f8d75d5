# The `make demo` supernet (configs/experiment/demo.py): configs/supernet/s4_nb101_mnist5k.py at 12x12
# pixels instead of 16x16, which makes every stage of the experiment ~40% cheaper (the stand-alone
# ground truth of 34 architectures x 2 seeds included), so the whole pipeline fits 10 minutes on 2 CPU
# cores.  S4, m=4, 16 stem channels, one cell per stack (3 cells), 30 epochs.
_base_ = './s4_nb101_mnist5k.py'
train_dataloader = dict(dataset=dict(size=12))
val_dataloader = dict(dataset=dict(size=12))
