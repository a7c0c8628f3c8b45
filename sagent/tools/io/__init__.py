"""Reading inputs: the posed-frames manifest, RGB-D dataset layouts, video and image-folder keyframes."""
