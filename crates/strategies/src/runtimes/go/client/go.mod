// waitbench's reference Go client: the standard library only, so it builds offline
// with no go.sum and no module download.
module waitbench/goclient

go 1.19
