using RelayWatch.Bench;

// Throughput benchmarks that print figures; run them in Release:
//   dotnet run -c Release --project bench/Bench -- store-insert [--rows N] [--repeat R]
//   dotnet run -c Release --project bench/Bench -- ingest [--lines N] [--in-flight 1,2,3] [--repeat R] [--batch-lines N] [--engine-events] [--end-to-end-only] [--text-codec C]
//   dotnet run -c Release --project bench/Bench -- ingest-exim [--lines N] [--parse-only] [--batch-lines N] [--in-flight N]   (the same for the four below)
//   dotnet run -c Release --project bench/Bench -- ingest-domino [--lines N]
//   dotnet run -c Release --project bench/Bench -- ingest-ironport [--lines N]
//   dotnet run -c Release --project bench/Bench -- ingest-exchange [--lines N]
//   dotnet run -c Release --project bench/Bench -- ingest-sendmail [--lines N]
//   dotnet run -c Release --project bench/Bench -- line-cost <format> <sample under data/samples> [rounds]
//   dotnet run -c Release --project bench/Bench -- line-outcomes <format> <file>...
//   dotnet run -c Release --project bench/Bench -- attacker-coverage DIR
//   dotnet run -c Release --project bench/Bench -- simulate [--days N] [--harder]
//   dotnet run -c Release --project bench/Bench -- detect [--days N] [--scale X]
//   dotnet run -c Release --project bench/Bench -- train [--days N] [--scale X]
//   dotnet run -c Release --project bench/Bench -- score [--ips N]
//   dotnet run -c Release --project bench/Bench -- report [--days N] [--scale X]
//   dotnet run -c Release --project bench/Bench -- storage [--lines N] [--days N]
//   dotnet run -c Release --project bench/Bench -- soak [--seconds 60] [--rate N | --probe-seconds 20 --target 50000] [--connections 4] [--page-clients 2]
//   dotnet run -c Release --project bench/Bench -- server-ingest [--days 7] [--scale 0.05] [--repeat 2] [--batch-lines N] [--in-flight N]
return args.FirstOrDefault() switch
{
    "store-insert" => await StoreInsertBenchmark.RunAsync(args[1..]),
    "ingest" => await IngestBenchmark.RunAsync(args[1..]),
    "ingest-exim" => await SampleIngestBenchmark.RunEximAsync(args[1..]),
    "ingest-domino" => await SampleIngestBenchmark.RunDominoAsync(args[1..]),
    "ingest-ironport" => await SampleIngestBenchmark.RunIronportAsync(args[1..]),
    "ingest-exchange" => await SampleIngestBenchmark.RunExchangeAsync(args[1..]),
    "ingest-sendmail" => await SampleIngestBenchmark.RunSendmailAsync(args[1..]),
    "line-cost" => LineCostBenchmark.Run(args[1..]),
    "line-outcomes" => LineOutcomes.Run(args[1..]),
    "attacker-coverage" => AttackerCoverage.Run(args[1..]),
    "simulate" => SimulateBenchmark.Run(args[1..]),
    "detect" => await DetectBenchmark.RunAsync(args[1..]),
    "train" => await ModelBenchmark.TrainAsync(args[1..]),
    "score" => await ModelBenchmark.ScoreAsync(args[1..]),
    "report" => await ReportBenchmark.RunAsync(args[1..]),
    "storage" => await StorageBenchmark.RunAsync(args[1..]),
    "soak" => await SoakBenchmark.RunAsync(args[1..]),
    "server-ingest" => await ServerIngestBenchmark.RunAsync(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: dotnet run -c Release --project bench/Bench -- store-insert [--rows N] [--repeat R] | ingest [--lines N] [--in-flight 1,2,3] [--repeat R] [--batch-lines N] [--engine-events] [--end-to-end-only] [--text-codec C] | ingest-exim|ingest-domino|ingest-ironport|ingest-exchange|ingest-sendmail [--lines N] [--parse-only] [--batch-lines N] [--in-flight N] | line-cost <format> <sample> [rounds] | line-outcomes <format> <file>... | attacker-coverage DIR | simulate [--days N] [--harder] | detect [--days N] [--scale X] | train [--days N] [--scale X] | score [--ips N] | report [--days N] [--scale X] | storage [--lines N] [--days N] | soak [--seconds 60] [--rate N | --probe-seconds 20 --target 50000] [--connections 4] [--page-clients 2] | server-ingest [--days 7] [--scale 0.05] [--repeat 2] [--batch-lines N] [--in-flight N]");
    return 2;
}
